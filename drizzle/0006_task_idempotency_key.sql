ALTER TABLE "task" ADD COLUMN "idempotency_key" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "task_user_idempotency_key_idx" ON "task" USING btree ("user_id","idempotency_key");