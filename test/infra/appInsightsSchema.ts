/**
 * The tables a log query on an Application Insights resource sees, with their classic column
 * names and types (the names the Logs pane and a scheduled query rule scoped to the component
 * use; a Log Analytics workspace calls the same data AppEvents, AppMetrics, … with other column
 * names). Taken from Microsoft's table mapping for workspace-based Application Insights, legacy
 * side. Only the tables our queries and the deploy guide's examples read.
 */

/** Columns every classic Application Insights table has. */
const COMMON = [
  'timestamp:datetime',
  'itemType:string',
  'itemId:string',
  'operation_Name:string',
  'operation_Id:string',
  'operation_ParentId:string',
  'operation_SyntheticSource:string',
  'session_Id:string',
  'user_Id:string',
  'user_AuthenticatedId:string',
  'user_AccountId:string',
  'application_Version:string',
  'client_Type:string',
  'client_Model:string',
  'client_OS:string',
  'client_IP:string',
  'client_City:string',
  'client_StateOrProvince:string',
  'client_CountryOrRegion:string',
  'client_Browser:string',
  'cloud_RoleName:string',
  'cloud_RoleInstance:string',
  'appId:string',
  'appName:string',
  'iKey:string',
  'sdkVersion:string',
  'customDimensions:dynamic',
];

/** Sampled telemetry carries itemCount and customMeasurements; customMetrics has neither. */
const SAMPLED = ['itemCount:int', 'customMeasurements:dynamic'];

export const APP_INSIGHTS_TABLES: Record<string, string[]> = {
  customEvents: [...COMMON, ...SAMPLED, 'name:string'],
  customMetrics: [
    ...COMMON,
    'name:string',
    'value:real',
    'valueCount:int',
    'valueSum:real',
    'valueMin:real',
    'valueMax:real',
    'valueStdDev:real',
  ],
  traces: [...COMMON, ...SAMPLED, 'message:string', 'severityLevel:int'],
  requests: [
    ...COMMON,
    ...SAMPLED,
    'id:string',
    'name:string',
    'source:string',
    'url:string',
    'success:string',
    'resultCode:string',
    'duration:real',
    'performanceBucket:string',
  ],
  exceptions: [
    ...COMMON,
    ...SAMPLED,
    'problemId:string',
    'handledAt:string',
    'type:string',
    'message:string',
    'assembly:string',
    'method:string',
    'outerType:string',
    'outerMessage:string',
    'outerAssembly:string',
    'outerMethod:string',
    'innermostType:string',
    'innermostMessage:string',
    'innermostAssembly:string',
    'innermostMethod:string',
    'severityLevel:int',
    'details:dynamic',
  ],
};
