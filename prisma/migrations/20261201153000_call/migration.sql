-- WebRTC signalling for video sessions (packages/api routers/call). A signal (an SDP offer can be
-- larger than NOTIFY's 8,000-byte payload) is stored here and only its id travels in the
-- notification; rows live for minutes, the next write deletes older ones.

-- CreateTable
CREATE TABLE "call_signals" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID NOT NULL,
    "from_user" UUID NOT NULL,
    "to_user" UUID NOT NULL,
    "attempt" UUID NOT NULL,
    "to_attempt" UUID,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_signals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "call_signals_session_id_to_user_id_idx" ON "call_signals"("session_id", "to_user", "id");

-- CreateIndex
CREATE INDEX "call_signals_created_at_idx" ON "call_signals"("created_at");

-- Every process hears every signal's id, its session and its addressee, and reads the row only if
-- it holds that addressee's subscription (packages/api CALL_SIGNALS_CHANNEL).
CREATE FUNCTION "call_signals_notify"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('call_signals', NEW.id::text || ':' || NEW.session_id::text || ':' || NEW.to_user::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "call_signals_notify"
    AFTER INSERT ON "call_signals"
    FOR EACH ROW EXECUTE FUNCTION "call_signals_notify"();
