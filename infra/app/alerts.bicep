// Log search alert rules on Application Insights, deployed with the app. Queries live in
// ../kql/alerts; thresholds are substituted for their {{PLACEHOLDER}}s here. Each rule fires
// when its query returns a row (the queries return rows only in the bad case).
param location string
param tags object
param namePrefix string
param applicationInsightsName string
@description('Empty: no action group; the alerts show in the portal only.')
param alertEmailAddress string
param escrowAlertAgeHours int
param deniedRiseThreshold int
param enrichIntervalMinutes int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var actionGroupName = '${namePrefix}-operators'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'attrwriter'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroups = empty(alertEmailAddress) ? [] : [resourceId('Microsoft.Insights/actionGroups', actionGroupName)]

var rules = [
  {
    name: 'escrow-too-old'
    displayName: 'Attribute writer: escrow entry older than ${escrowAlertAgeHours} h'
    description: 'A worker has waited longer than the threshold for its Entra user (Cloud Sync normally creates it within 40 minutes).'
    severity: 3
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    query: replace(loadTextContent('../kql/alerts/escrow-too-old.kql'), '{{ESCROW_ALERT_MINUTES}}', string(escrowAlertAgeHours * 60))
  }
  {
    name: 'failed-workers'
    displayName: 'Attribute writer: workers failed'
    description: 'Transient errors outlasted the retries for at least one worker; its job went to the poison queue.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../kql/alerts/failed-workers.kql')
  }
  {
    name: 'held-cycle'
    displayName: 'Attribute writer: cycle held by the mass-change guard'
    description: 'A cycle planned more changes than guards.maxWritesPerCycle; nothing is written until an operator approves.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../kql/alerts/held-cycle.kql')
  }
  {
    name: 'denied-rising'
    displayName: 'Attribute writer: denied workers rising'
    description: 'More workers were denied by Graph in the last day than the day before, by at least ${deniedRiseThreshold}.'
    severity: 3
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    query: replace(loadTextContent('../kql/alerts/denied-rising.kql'), '{{DENIED_RISE_THRESHOLD}}', string(deniedRiseThreshold))
  }
  {
    name: 'no-successful-cycle'
    displayName: 'Attribute writer: no successful cycle in ${enrichIntervalMinutes * 2} minutes'
    description: 'No cycle ran to its end within twice the schedule interval: the timer, Workday or the app is down.'
    severity: 1
    evaluationFrequency: 'PT15M'
    windowSize: 'P2D'
    query: replace(loadTextContent('../kql/alerts/no-successful-cycle.kql'), '{{STALE_AFTER_MINUTES}}', string(enrichIntervalMinutes * 2))
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: rule.evaluationFrequency
    windowSize: rule.windowSize
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroups
    }
  }
  dependsOn: [actionGroup]
}]
