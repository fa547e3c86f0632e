-- CreateTable
CREATE TABLE "room_messages" (
    "id" UUID NOT NULL,
    "position" BIGINT NOT NULL DEFAULT 0,
    "session_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "client_key" UUID NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "photo_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "room_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "room_photos" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "content_type" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "room_photos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "room_reads" (
    "session_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "delivered_up_to" BIGINT NOT NULL DEFAULT 0,
    "read_up_to" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "room_reads_pkey" PRIMARY KEY ("session_id","user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "room_messages_position_key" ON "room_messages"("position");

-- CreateIndex
CREATE UNIQUE INDEX "room_messages_photo_id_key" ON "room_messages"("photo_id");

-- CreateIndex
CREATE INDEX "room_messages_session_id_position_idx" ON "room_messages"("session_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "room_messages_session_id_author_id_client_key_key" ON "room_messages"("session_id", "author_id", "client_key");

-- CreateIndex
CREATE INDEX "room_photos_session_id_idx" ON "room_photos"("session_id");

-- AddForeignKey
ALTER TABLE "room_messages" ADD CONSTRAINT "room_messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "room_messages" ADD CONSTRAINT "room_messages_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "room_messages" ADD CONSTRAINT "room_messages_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "room_photos"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written below. Room message positions in commit order among room writers only, exactly as
-- assignment_events (migration 20261201090000_commit_ordered_positions): the insert takes one
-- transaction-scoped advisory lock (its own key, so chat never waits for dispatch or the other way
-- round), then draws the position, holding the lock until commit. A reader that sees position N
-- sees every committed message below N; rolled-back positions never appear. The notification
-- (payload: the session id) only wakes readers; they read the table.
CREATE SEQUENCE "room_message_position_seq" AS bigint;

-- Lock key 42420002: the room writers' order (packages/api/src/log/room-feed.ts).
CREATE FUNCTION "room_messages_position"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(42420002);
    NEW."position" := nextval('"room_message_position_seq"');
    PERFORM pg_notify('room_messages', NEW.session_id::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER "room_messages_position"
    BEFORE INSERT ON "room_messages"
    FOR EACH ROW EXECUTE FUNCTION "room_messages_position"();

-- Messages are history: neither edited nor deleted (a mark is a room_reads row, not an edit).
CREATE FUNCTION "room_messages_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'room_messages is append-only';
END;
$$;

CREATE TRIGGER "room_messages_no_update_delete"
    BEFORE UPDATE OR DELETE OR TRUNCATE ON "room_messages"
    FOR EACH STATEMENT EXECUTE FUNCTION "room_messages_append_only"();

-- A member's marks moved forward: wake the room's readers (same channel, same payload).
CREATE FUNCTION "room_reads_changed"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('room_messages', NEW.session_id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "room_reads_changed"
    AFTER INSERT OR UPDATE ON "room_reads"
    FOR EACH ROW EXECUTE FUNCTION "room_reads_changed"();
