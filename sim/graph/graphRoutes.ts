/**
 * Everything the simulator serves under /v1.0 ($batch aside, which wraps these).
 */
import { getDeletedItem, listDeletedUsers, purgeDeletedItem, restoreDeletedItem } from './deletedItemRoutes';
import {
  createEmailMethod,
  deleteEmailMethod,
  getEmailMethod,
  listEmailMethods,
  updateEmailMethod,
} from './emailMethodRoutes';
import {
  listGroupEligibilitySchedules,
  listGroupTransitiveUsers,
  listGroupUserOwners,
  listRoleAssignments,
  listRoleEligibilitySchedules,
} from './roleRoutes';
import type { Route } from './routeTable';
import { createUser, deleteUser, getUser, listUsers, patchUser } from './userRoutes';

export const GRAPH_ROUTES: readonly Route[] = [
  { segments: ['users'], methods: { GET: listUsers, POST: createUser }, readCost: 2 },
  { segments: ['users', '{}'], methods: { GET: getUser, PATCH: patchUser, DELETE: deleteUser } },
  {
    segments: ['users', '{}', 'authentication', 'emailMethods'],
    methods: { GET: listEmailMethods, POST: createEmailMethod },
  },
  {
    segments: ['users', '{}', 'authentication', 'emailMethods', '{}'],
    methods: { GET: getEmailMethod, PATCH: updateEmailMethod, DELETE: deleteEmailMethod },
  },
  { segments: ['directory', 'deletedItems', 'microsoft.graph.user'], methods: { GET: listDeletedUsers } },
  { segments: ['directory', 'deletedItems', '{}'], methods: { GET: getDeletedItem, DELETE: purgeDeletedItem } },
  { segments: ['directory', 'deletedItems', '{}', 'restore'], methods: { POST: restoreDeletedItem } },
  { segments: ['roleManagement', 'directory', 'roleAssignments'], methods: { GET: listRoleAssignments } },
  {
    segments: ['roleManagement', 'directory', 'roleEligibilitySchedules'],
    methods: { GET: listRoleEligibilitySchedules },
  },
  {
    segments: ['groups', '{}', 'transitiveMembers', 'microsoft.graph.user'],
    methods: { GET: listGroupTransitiveUsers },
  },
  { segments: ['groups', '{}', 'owners', 'microsoft.graph.user'], methods: { GET: listGroupUserOwners } },
  {
    segments: ['identityGovernance', 'privilegedAccess', 'group', 'eligibilitySchedules'],
    methods: { GET: listGroupEligibilitySchedules },
  },
];
