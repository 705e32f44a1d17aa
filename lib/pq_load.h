/*
 * pq_load.h — private to lib/db_pg*.c: libpq, loaded when the first PostgreSQL URL is opened
 * instead of linked into mig.
 *
 * Linking libpq costs every mig command, SQLite ones and `mig --version` included, ~3.5 ms of
 * start-up: libpq drags in some twenty shared objects (krb5, gssapi, ldap, sasl, gnutls, ...) that
 * the dynamic loader maps and relocates before main() (bench/README.md, finding 6). So mig does
 * not link it: mig_pq_load() dlopen()s libpq.so.5 once and resolves the functions listed below
 * into one table, mig_pq.
 *
 * Include this header instead of <libpq-fe.h>. It includes <libpq-fe.h> for the types and
 * constants, then turns each listed name into a call through the table (`PQexec(c, sql)` becomes
 * `(mig_pq.PQexec)(c, sql)`), so the driver reads as plain libpq code. Nothing in libmig defines
 * a PQ* symbol: a program that links libpq itself (the test suites, bench/difftime) gets the same
 * library from dlopen(), already loaded, and handles pass freely between the two.
 *
 * To use another libpq function, add it to MIG_PQ_FUNCS and give it a redirect below (the
 * preprocessor cannot define macros from a list, hence the second column). Forgetting either is
 * a build error: a redirect without a table entry does not compile, and a call without a
 * redirect is an undefined reference when ./mig is linked, since ./mig links no libpq.
 */
#ifndef MIG_PQ_LOAD_H
#define MIG_PQ_LOAD_H

#include <libpq-fe.h>

/* Every libpq function libmig calls. */
#define MIG_PQ_FUNCS(X) \
	X(PQcancel) \
	X(PQclear) \
	X(PQclientEncoding) \
	X(PQconnectdbParams) \
	X(PQconninfoFree) \
	X(PQconninfoParse) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQfinish) \
	X(PQfnumber) \
	X(PQfreeCancel) \
	X(PQfreemem) \
	X(PQgetCancel) \
	X(PQgetCopyData) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQmblen) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQparameterStatus) \
	X(PQputCopyEnd) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQuery) \
	X(PQsetNoticeProcessor) \
	X(PQstatus) \
	X(PQtransactionStatus)

/* One pointer per function, typed from libpq's own prototype. */
struct mig_pq_funcs {
#define MIG_PQ_MEMBER(f) __typeof__(f) *f;
	MIG_PQ_FUNCS(MIG_PQ_MEMBER)
#undef MIG_PQ_MEMBER
};

/*
 * The table: all NULL until mig_pq_load() succeeds, then filled whole and never changed again,
 * so a signal handler may call through it (PQcancel) once a connection exists.
 */
extern struct mig_pq_funcs mig_pq;

/*
 * Loads libpq and fills mig_pq, the first time; later calls return the first call's result at
 * once. Thread-safe. The library name is libpq.so.5, or $MIG_LIBPQ when set (a path or another
 * soname). Returns 0, or MIG_EDB with a message naming the library and what the loader said.
 * Call it before any other PQ* function: pg_open() does, and every other call needs a
 * connection that pg_open() made.
 */
int mig_pq_load(void);

/* pq_load.c fills the table by member name, so it must see the names unredirected. */
#ifndef MIG_PQ_LOADER
#define PQcancel (mig_pq.PQcancel)
#define PQclear (mig_pq.PQclear)
#define PQclientEncoding (mig_pq.PQclientEncoding)
#define PQconnectdbParams (mig_pq.PQconnectdbParams)
#define PQconninfoFree (mig_pq.PQconninfoFree)
#define PQconninfoParse (mig_pq.PQconninfoParse)
#define PQerrorMessage (mig_pq.PQerrorMessage)
#define PQexec (mig_pq.PQexec)
#define PQexecParams (mig_pq.PQexecParams)
#define PQfinish (mig_pq.PQfinish)
#define PQfnumber (mig_pq.PQfnumber)
#define PQfreeCancel (mig_pq.PQfreeCancel)
#define PQfreemem (mig_pq.PQfreemem)
#define PQgetCancel (mig_pq.PQgetCancel)
#define PQgetCopyData (mig_pq.PQgetCopyData)
#define PQgetResult (mig_pq.PQgetResult)
#define PQgetisnull (mig_pq.PQgetisnull)
#define PQgetvalue (mig_pq.PQgetvalue)
#define PQmblen (mig_pq.PQmblen)
#define PQnfields (mig_pq.PQnfields)
#define PQntuples (mig_pq.PQntuples)
#define PQparameterStatus (mig_pq.PQparameterStatus)
#define PQputCopyEnd (mig_pq.PQputCopyEnd)
#define PQresultErrorField (mig_pq.PQresultErrorField)
#define PQresultErrorMessage (mig_pq.PQresultErrorMessage)
#define PQresultStatus (mig_pq.PQresultStatus)
#define PQsendQuery (mig_pq.PQsendQuery)
#define PQsetNoticeProcessor (mig_pq.PQsetNoticeProcessor)
#define PQstatus (mig_pq.PQstatus)
#define PQtransactionStatus (mig_pq.PQtransactionStatus)
#endif

#endif
