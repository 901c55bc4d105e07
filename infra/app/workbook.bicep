// The operators' workbook, deployed with the app and opened from the Application Insights
// resource (Workbooks). Its queries live in ../kql/workbook so tests can parse them with Kusto's
// language service and check what they read against what the app sends.
param location string
param tags object
param applicationInsightsName string
param displayName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var sevenDays = 604800000

var timeRangeParameter = {
  type: 9
  name: 'parameters'
  content: {
    version: 'KqlParameterItem/1.0'
    style: 'pills'
    parameters: [
      {
        id: 'b1f6a3d2-5c7e-4f10-9a8b-2d3e4f5a6b7c'
        version: 'KqlParameterItem/1.0'
        name: 'TimeRange'
        label: 'Time range'
        type: 4
        isRequired: true
        value: { durationMs: sevenDays }
        typeSettings: {
          // From a day: the morning's question is about last night, and long escrow is a day old.
          selectableValues: [
            { durationMs: 86400000 }
            { durationMs: sevenDays }
            { durationMs: 2592000000 }
          ]
        }
      }
      {
        id: '4c2e8f1a-7b3d-4e59-8a6c-1f0d2e3b4a5c'
        version: 'KqlParameterItem/1.0'
        name: 'WorkerId'
        label: 'Worker id'
        type: 1
        isRequired: false
        value: ''
        description: 'A Workday worker id: its history shows below'
      }
    ]
  }
}

var queryDefaults = {
  version: 'KqlItem/1.0'
  size: 0
  queryType: 0
  resourceType: 'microsoft.insights/components'
  timeContextFromParameter: 'TimeRange'
  timeContext: { durationMs: sevenDays }
}

var items = [
  {
    type: 1
    name: 'introduction'
    content: {
      json: '## Entra attribute writer\nEvery run with what it planned and how its jobs settled, one worker\'s history, the workers that need a person, outcomes over time, the escrow backlog, Graph throttling and run durations. A held cycle waits for an operator: `POST /api/cycles/<runId>/approve` (see docs/deploy.md).'
    }
  }
  timeRangeParameter
  {
    type: 3
    name: 'recent-runs'
    content: union(queryDefaults, {
      title: 'Recent runs: planned, enqueued, and settled by outcome'
      query: loadTextContent('../kql/workbook/recent-runs.kql')
      visualization: 'table'
    })
  }
  {
    type: 3
    name: 'worker-history'
    content: union(queryDefaults, {
      title: 'Worker history (enter a worker id above)'
      query: loadTextContent('../kql/workbook/worker-history.kql')
      visualization: 'table'
    })
  }
  {
    type: 3
    name: 'outcomes-over-time'
    content: union(queryDefaults, {
      title: 'Outcomes over time (workers per hour)'
      query: loadTextContent('../kql/workbook/outcomes-over-time.kql')
      visualization: 'timechart'
    })
  }
  {
    type: 3
    name: 'escrow-backlog'
    content: union(queryDefaults, {
      title: 'Escrow backlog and oldest entry'
      query: loadTextContent('../kql/workbook/escrow-backlog.kql')
      visualization: 'timechart'
    })
  }
  {
    type: 3
    name: 'attention-workers'
    content: union(queryDefaults, {
      title: 'Workers needing a person now (denied, conflict, held, rejected, failed, expired, escrowed over a day; dry runs left out)'
      query: loadTextContent('../kql/workbook/attention-workers.kql')
      visualization: 'table'
    })
  }
  {
    type: 3
    name: 'held-cycles'
    content: union(queryDefaults, {
      title: 'Held cycles'
      query: loadTextContent('../kql/workbook/held-cycles.kql')
      visualization: 'table'
    })
  }
  {
    type: 3
    name: 'graph-throttling'
    content: union(queryDefaults, {
      title: 'Graph requests and throttling (429)'
      query: loadTextContent('../kql/workbook/graph-throttling.kql')
      visualization: 'timechart'
    })
  }
  {
    type: 3
    name: 'run-duration'
    content: union(queryDefaults, {
      title: 'Run duration and Workday read time (seconds)'
      query: loadTextContent('../kql/workbook/run-duration.kql')
      visualization: 'timechart'
    })
  }
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; stable per App Insights resource so redeploys update it.
  name: guid(appInsights.id, 'entra-attribute-writer-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: toLower(appInsights.id)
    version: '1.0'
    serializedData: string({
      version: 'Notebook/1.0'
      items: items
      isLocked: false
      fallbackResourceIds: [appInsights.id]
    })
  }
}

output id string = workbook.id
