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
param rejectedRiseThreshold int
param enrichIntervalMinutes int
param silentAfterMinutes int

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
    description: 'A cycle planned more changes than guards.maxWritesPerCycle; nothing is written until an operator approves (POST /api/cycles/<runId>/approve; the run id is in the CycleHeld event).'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../kql/alerts/held-cycle.kql')
  }
  {
    name: 'denied-rising'
    displayName: 'Attribute writer: denied workers rising'
    description: 'At least ${deniedRiseThreshold} more workers were denied in the last day than the day before: new privileged-role holders matched by Workday records, or Graph refusing those users. A lost permission stops every write instead and raises "writes refused".'
    severity: 3
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    query: replace(loadTextContent('../kql/alerts/denied-rising.kql'), '{{DENIED_RISE_THRESHOLD}}', string(deniedRiseThreshold))
  }
  {
    name: 'rejected-rising'
    displayName: 'Attribute writer: rejected workers rising'
    description: 'At least ${rejectedRiseThreshold} more workers were rejected for their Workday data in the last day than the day before (invalid personal emails, country codes, ids): HR data quality dropped or the report changed. They get no reset channel until the data is fixed.'
    severity: 3
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    query: replace(loadTextContent('../kql/alerts/rejected-rising.kql'), '{{REJECTED_RISE_THRESHOLD}}', string(rejectedRiseThreshold))
  }
  {
    name: 'expired-escrow'
    displayName: 'Attribute writer: escrow expired (a worker never got a reset channel)'
    description: 'No Entra user with the worker\'s employeeId appeared within escrow.expireAfterDays: a new hire never got a reset channel. Check Cloud Sync and the employeeId in AD.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../kql/alerts/expired-escrow.kql')
  }
  {
    name: 'writes-refused'
    displayName: 'Attribute writer: Graph refuses the app\'s writes'
    description: 'Graph refused the app as a whole (a permission missing or removed): every instance stops writing and nobody gets a reset channel until the grant is fixed (infra/grant-graph-permissions.sh, then attribute-writer check).'
    severity: 1
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../kql/alerts/writes-refused.kql')
  }
  {
    name: 'poison-queue-depth'
    displayName: 'Attribute writer: jobs stuck in the poison queue'
    description: 'Jobs stayed in the poison queue for 30 minutes: its handler, which records each one as failed within seconds, is not running or keeps failing, so those workers are neither written nor recorded.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT30M'
    query: loadTextContent('../kql/alerts/poison-queue-depth.kql')
  }
  {
    name: 'host-startup-failure'
    displayName: 'Attribute writer: app not running (start-up failure)'
    description: 'No run of any kind completed in ${silentAfterMinutes} minutes (the escrow sweep completes one every minute by default), or the Functions host logged a start-up error with no run since: timers and the queue are silent.'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'P1D'
    query: replace(loadTextContent('../kql/alerts/host-startup-failure.kql'), '{{SILENT_AFTER_MINUTES}}', string(silentAfterMinutes))
  }
  {
    name: 'no-successful-cycle'
    displayName: 'Attribute writer: no successful cycle in ${enrichIntervalMinutes * 2} minutes'
    description: 'No cycle ran to its end within twice the schedule interval: the timer, Workday or the app is down. Quiet while the latest cycle is held (the held-cycle alert pages for it).'
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
