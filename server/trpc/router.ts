import { router } from './init';
import { taskRouter } from './routers/task';

/** The whole API. Clients import only its type. */
export const appRouter = router({
  task: taskRouter,
});

export type AppRouter = typeof appRouter;
