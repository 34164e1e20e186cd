// The ISO 8601 instant every boundary accepts: date, time with seconds, and an explicit offset or Z (a time
// without an offset would be read in whatever zone the reading process has). Sandbox-safe: only zod.
import { z } from 'zod';

export const isoInstantSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant with an offset (ожидается дата и время ISO 8601 с часовым поясом)',
});
