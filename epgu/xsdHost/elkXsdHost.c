/*
 * elk-xsd-host: a long-lived libxml2 XSD validator. The schema is parsed once at start; documents then
 * arrive on stdin one after another and each verdict goes back on stdout, in order. Spawning xmllint for
 * every ЕЛК status parsed the schema again each time (4.3-4.6 ms of its ~7 ms CPU).
 *
 * Same library and same parser options as `xmllint --noout --nonet --schema <xsd> -`: no network, no entity
 * substitution, no DTD loading, libxml2's default size limits (no XML_PARSE_HUGE).
 *
 * Protocol (all integers unsigned 32-bit big-endian):
 *   request:  length, then `length` bytes of the document (at most MAX_DOCUMENT_BYTES)
 *   reply:    verdict (0 valid, 1 invalid), length, then `length` bytes of error lines separated by '\n'
 * A request longer than the limit is read and discarded and answered "invalid"; a short read (stdin closed)
 * ends the process. Build: cc -O2 -o elk-xsd-host elkXsdHost.c $(xml2-config --cflags --libs)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#define MAX_DOCUMENT_BYTES (1024u * 1024u)
#define MAX_ERRORS 50
#define MAX_ERROR_BYTES (64u * 1024u)

static char errors[MAX_ERROR_BYTES];
static size_t errors_len;
static int errors_count;

static void add_error(const char *text) {
  if (errors_count >= MAX_ERRORS) return;
  size_t n = strlen(text);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ')) n--;
  if (errors_len + n + 2 > MAX_ERROR_BYTES) return;
  if (errors_len > 0) errors[errors_len++] = '\n';
  memcpy(errors + errors_len, text, n);
  errors_len += n;
  errors_count++;
}

/* Formats an error like xmllint does, without its "file:line: " prefix. */
static void on_error(void *ctx, xmlErrorPtr err) {
  (void)ctx;
  if (err == NULL || err->message == NULL) return;
  char line[2048];
  const char *kind = err->domain == XML_FROM_SCHEMASV ? "Schemas validity error" : "parser error";
  if (err->domain == XML_FROM_SCHEMASV && err->node != NULL && ((xmlNodePtr)err->node)->name != NULL) {
    snprintf(line, sizeof line, "element %s: %s : %s", (const char *)((xmlNodePtr)err->node)->name, kind, err->message);
  } else {
    snprintf(line, sizeof line, "%s : %s", kind, err->message);
  }
  add_error(line);
}

static int read_exact(void *buf, size_t n) {
  return fread(buf, 1, n, stdin) == n;
}

static uint32_t be32(const unsigned char b[4]) {
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

static void reply(int invalid) {
  unsigned char head[5] = {(unsigned char)invalid, (unsigned char)(errors_len >> 24), (unsigned char)(errors_len >> 16),
                           (unsigned char)(errors_len >> 8), (unsigned char)errors_len};
  fwrite(head, 1, sizeof head, stdout);
  fwrite(errors, 1, errors_len, stdout);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: elk-xsd-host <schema.xsd>\n");
    return 2;
  }
  LIBXML_TEST_VERSION
  xmlSetStructuredErrorFunc(NULL, on_error);
  xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(argv[1]);
  xmlSchemaPtr schema = pctxt ? xmlSchemaParse(pctxt) : NULL;
  if (schema == NULL) {
    fprintf(stderr, "elk-xsd-host: schema %s does not compile: %.*s\n", argv[1], (int)errors_len, errors);
    return 3;
  }
  xmlSchemaFreeParserCtxt(pctxt);
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(vctxt, on_error, NULL);
  /* Ready: one byte, so the caller knows the schema compiled. */
  fputc('R', stdout);
  fflush(stdout);

  char *buf = malloc(MAX_DOCUMENT_BYTES + 1);
  if (buf == NULL) return 4;
  for (;;) {
    unsigned char head[4];
    if (!read_exact(head, 4)) break;
    uint32_t len = be32(head);
    errors_len = 0;
    errors_count = 0;
    if (len > MAX_DOCUMENT_BYTES) {
      /* Discard the oversized document so the stream stays in step. */
      for (uint32_t left = len; left > 0;) {
        size_t chunk = left > MAX_DOCUMENT_BYTES ? MAX_DOCUMENT_BYTES : left;
        if (!read_exact(buf, chunk)) return 0;
        left -= (uint32_t)chunk;
      }
      char msg[128];
      snprintf(msg, sizeof msg, "document exceeds %u bytes", MAX_DOCUMENT_BYTES);
      add_error(msg);
      reply(1);
      continue;
    }
    if (!read_exact(buf, len)) break;
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, "-", NULL, XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES);
    int invalid = 1;
    if (doc != NULL) {
      invalid = xmlSchemaValidateDoc(vctxt, doc) != 0;
      xmlFreeDoc(doc);
    }
    if (invalid && errors_len == 0) add_error("document is not valid");
    reply(invalid);
    xmlResetLastError();
  }
  free(buf);
  xmlSchemaFreeValidCtxt(vctxt);
  xmlSchemaFree(schema);
  xmlCleanupParser();
  return 0;
}
