/*
 * rev_internal.h — what the rev_*.c files share and nobody else needs: the header line scanner
 * (used by the parser and by the graph loader, which reads files only until their header ends),
 * relative walks (used by resolution and by `+N` upgrades) and id lists for error messages.
 */
#ifndef MIG_REV_INTERNAL_H
#define MIG_REV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "rev.h"
#include "util.h"

/* How a line of a revision file's header region reads. */
enum rev_line {
	REV_LINE_BLANK,   /* only whitespace */
	REV_LINE_COMMENT, /* a plain `--` comment */
	REV_LINE_MIG,     /* `-- mig:...` */
	REV_LINE_OTHER,   /* anything else: the header region ends before it */
};

enum rev_line rev_line_kind(const char *line, size_t n);
/* Length of a UTF-8 byte order mark at the start of text (0 or 3). */
size_t rev_bom_len(const char *text, size_t len);

/*
 * Incremental scan of the header region over a buffer that grows: pos is where the next unread
 * line starts, end the offset just after the last `-- mig:` line of the header, done is set once
 * a line that ends the header has been seen (or, with eof, once the whole buffer has been seen),
 * gap while blank or comment lines follow the last header line.
 */
struct rev_scan {
	size_t pos;
	size_t end;
	bool done;
	bool gap;
};
void rev_header_scan(struct rev_scan *s, const char *text, size_t len, bool eof);

/* Branch labels live in the graph's id map under "@label" ('@' never occurs in an id). */
#define REV_LABEL_KEY_MAX (MIG_REV_ID_MAX + 2)
bool rev_label_key(char out[REV_LABEL_KEY_MAX], const char *label);

/*
 * Walks n steps from `from` along the only child (up) or the only parent (down). spec is the
 * user's text, for messages. A fork is MIG_EAMBIGUOUS, running off the graph MIG_ENOTFOUND.
 */
int rev_walk(struct mig_rev **out, struct mig_rev *from, int n, bool up, const char *spec);

/* Appends "a, b, c" to b: the ids of revs sorted, at most a screenful of them. */
void rev_list_ids(struct mig_buf *b, struct mig_rev *const *revs, size_t n);

/*
 * Appends a loaded revision to a graph being built (ids are checked by the caller), unless its id
 * is taken: then the graph is left as it was and the revision that has the id is returned.
 */
struct mig_rev *rev_graph_push(struct mig_graph *g, struct mig_rev *r);
/* A fresh arena that the graph keeps until mig_graph_free(), for a loader thread's allocations. */
struct mig_arena *rev_graph_new_arena(struct mig_graph *g);

/* Where a revision comes from, for messages: its up file, or a note for a ghost. */
const char *rev_where(struct mig_arena *a, const struct mig_rev *r);

#endif
