-- Statuses of applications filed on ЕПГУ go back as responses to ЕПГУ's original request, not as ЕЛК orders:
-- the outbox records which route a status took, and the SMEV file storage id of its attachment.
ALTER TABLE elk_outbox DROP CONSTRAINT IF EXISTS elk_outbox_request_type_check;
ALTER TABLE elk_outbox ADD CONSTRAINT elk_outbox_request_type_check
  CHECK (request_type IN ('CreateOrdersRequest', 'UpdateOrdersRequest', 'EpguStatusReply'));
ALTER TABLE elk_outbox ADD COLUMN attachment_fs_uuid uuid;
