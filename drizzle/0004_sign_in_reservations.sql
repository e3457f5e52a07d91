ALTER TABLE "sign_in_throttle" ADD COLUMN "in_flight" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sign_in_throttle" ADD COLUMN "reserved_at" bigint DEFAULT 0 NOT NULL;