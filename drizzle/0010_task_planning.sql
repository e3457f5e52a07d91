ALTER TABLE "task" ADD COLUMN "due_on" date;--> statement-breakpoint
ALTER TABLE "task" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "task"."title" || ' ' || coalesce("task"."description", ''))) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "task_user_due_idx" ON "task" USING btree ("user_id","due_on","id") WHERE "task"."due_on" is not null and not "task"."completed" and "task"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "task_search_idx" ON "task" USING gin ("search");