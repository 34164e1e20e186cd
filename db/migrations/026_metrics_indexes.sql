-- Indexes for the /metrics scrape (metrics/productMetrics.ts): each figure is a range or partial-index scan over
-- recent or open rows, never a scan of the whole history, so a scrape every 15 s stays cheap as years accumulate.
CREATE INDEX elk_outbox_delivered_at ON elk_outbox (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX elk_delivery_attempts_at ON elk_delivery_attempts (at);
CREATE INDEX event_outbox_failed ON event_outbox (id) WHERE state = 'failed';
