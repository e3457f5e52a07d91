import { apikey } from './api-key-schema';
import * as authSchema from './auth-schema';
import { tokenRevocation } from './revocation-schema';
import * as securitySchema from './security-schema';
import { taskEvent } from './task-event-schema';
import { task } from './task-schema';

/** Every table, as drizzle and Better Auth's adapter want them. */
export const schema = { ...authSchema, ...securitySchema, task, taskEvent, tokenRevocation, apikey };
export type Schema = typeof schema;
