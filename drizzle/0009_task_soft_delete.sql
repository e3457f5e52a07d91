DROP INDEX "task_user_created_idx";--> statement-breakpoint
ALTER TABLE "task" ADD COLUMN "deleted_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "task_deleted_at_idx" ON "task" USING btree ("deleted_at") WHERE "task"."deleted_at" is not null;--> statement-breakpoint
CREATE INDEX "task_user_created_idx" ON "task" USING btree ("user_id","created_at","id") WHERE "task"."deleted_at" is null;