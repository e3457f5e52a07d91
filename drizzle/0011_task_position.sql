-- Manual order (decisions D37). A task's place is a fractional-indexing key (npm
-- `fractional-indexing`: base-62 digits 0-9A-Za-z after a head letter that gives the length of
-- the integer part), compared byte by byte. `task.move` computes keys between neighbours in
-- TypeScript; the database only makes the first key of a task, from its creation time, so that a
-- create needs no read of its owner's other keys (no extra round trip, no lock across creates).
--
-- The key of instant t is the integer part "S" + 8 digits holding 62^8 - 1 - (t in ms): later is
-- smaller, so a new task sorts above every older one (on top, as the list was newest first), and
-- above every key `task.move` makes from an older one. 62^8 ms is ~6,900 years. A fraction follows
-- so two tasks of one instant still get distinct keys (the library needs a gap to place between).
-- Plain SQL (no plpgsql) and STABLE like `extract(epoch FROM timestamptz)` inside it, so the
-- planner inlines both functions into the INSERT's default (one expression per digit). Declared
-- IMMUTABLE it would not be inlined, and a SQL function run on its own costs a plan per call: that
-- measured 0.79x of the create rate (bench/position-cost.ts), inlined it is within noise.
CREATE FUNCTION task_position_at(at timestamptz, fraction text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'S' ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 3521614606208 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 56800235584 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 916132832 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 14776336 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 238328 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 3844 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 62 % 62)::int + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((218340105584895 - floor(extract(epoch FROM at) * 1000)::bigint) / 1 % 62)::int + 1, 1) ||
    fraction
$$;--> statement-breakpoint
-- The default of task.position: the key of the transaction's time (the created_at of the row) and
-- four random digits, the last never "0" (a key must not end in the zero digit).
CREATE FUNCTION task_new_position() RETURNS text
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT task_position_at(now(),
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1 + floor(random() * 62)::int, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1 + floor(random() * 62)::int, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1 + floor(random() * 62)::int, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 2 + floor(random() * 61)::int, 1))
$$;--> statement-breakpoint
DROP INDEX "task_user_created_idx";--> statement-breakpoint
ALTER TABLE "task" ADD COLUMN "position" text COLLATE "C";--> statement-breakpoint
-- Backfill: the order people see today (newest first, then id descending) becomes the manual
-- order. Tasks of the same millisecond get fractions "001V", "002V", ... in that order. No
-- live-update events for this (every open list already shows this order).
ALTER TABLE "task" DISABLE TRIGGER task_event_emit;--> statement-breakpoint
UPDATE "task" SET "position" = task_position_at(ranked.created_at,
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n / 3844)::int % 62 + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n / 62)::int % 62 + 1, 1) ||
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ranked.n::int % 62 + 1, 1) || 'V')
  FROM (
    SELECT id, created_at, row_number() OVER (PARTITION BY user_id, created_at ORDER BY id DESC) AS n
    FROM "task"
  ) AS ranked
  WHERE ranked.id = "task"."id";--> statement-breakpoint
ALTER TABLE "task" ENABLE TRIGGER task_event_emit;--> statement-breakpoint
ALTER TABLE "task" ALTER COLUMN "position" SET DEFAULT task_new_position();--> statement-breakpoint
ALTER TABLE "task" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "task_user_position_idx" ON "task" USING btree ("user_id","position","id") WHERE "task"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE "task" ADD CONSTRAINT "task_position_format" CHECK ("task"."position" ~ '^[0-9A-Za-z]{2,100}$');
