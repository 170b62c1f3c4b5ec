// SPDX-License-Identifier: Apache-2.0
//
// The C ceiling for the ingest writer: how fast raw SQLite takes readings into HazardMon's `readings` table
// on this machine, with nothing between the loop and sqlite3_step.
//
//   usage: sqlite_c_ceiling DB_PATH [N=1000000] [BATCH=1000] [CHANNELS=100]
//
// Each of 3 runs deletes DB_PATH (and its -wal and -shm files), opens it with the pragmas HazardMon's
// Database sets (journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON), creates the table exactly as
// migration v2 of Sources/HazardMonStore/Store+Schema.swift does, and inserts N rows in transactions of
// BATCH rows (BEGIN IMMEDIATE ... COMMIT) through one prepared statement that is reused for every row.
// Rows come in arrival order: interleaved across CHANNELS channels (channel ids 1..CHANNELS, one reading
// per channel per minute), so within a channel the time stamps increase but consecutive rows go to
// different channels, as a feed of many devices delivers them. This is the order the Swift writer gets;
// it sorts each batch by (channel_id, ts) before inserting, which this program deliberately does not.
//
// Only the insert loop is timed (first BEGIN to last COMMIT); opening, creating the table and closing
// (which checkpoints the WAL) are not. Prints each run and the median:
//
//   c_ceiling rows_per_s=<median>
//
// Build: cc -O2 -o .build/bench/sqlite_c_ceiling Benchmarks/ingest/sqlite_c_ceiling.c $(pkg-config --cflags --libs sqlite3)

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { RUNS = 3 };

// Keep in step with `Store.readingsSchema` (migration v2).
static const char *SCHEMA =
    "CREATE TABLE readings ("
    "    channel_id INTEGER NOT NULL,"
    "    ts INTEGER NOT NULL,"
    "    value REAL NOT NULL,"
    "    received_at INTEGER NOT NULL,"
    "    PRIMARY KEY (channel_id, ts)"
    ") STRICT, WITHOUT ROWID";

// The writer's statement: a repeat of a key is skipped, not an error.
static const char *INSERT =
    "INSERT INTO readings(channel_id, ts, value, received_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (channel_id, ts) DO NOTHING";

// 2026-11-29T00:00:00Z in milliseconds.
static const int64_t START_MS = 1795910400000LL;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fail(sqlite3 *db, const char *what) {
    fprintf(stderr, "%s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql) {
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, message ? message : "?");
        exit(1);
    }
}

static void remove_database(const char *path) {
    static const char *suffixes[] = {"", "-wal", "-shm"};
    char name[4096];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

// One run on a fresh file; returns rows per second.
static double run(const char *path, long n, long batch, long channels) {
    remove_database(path);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        fail(db, "open");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, "PRAGMA synchronous = NORMAL");
    exec(db, "PRAGMA foreign_keys = ON");
    exec(db, SCHEMA);

    sqlite3_stmt *insert = NULL;
    if (sqlite3_prepare_v3(db, INSERT, -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL) != SQLITE_OK)
        fail(db, "prepare");
    const int64_t received_at = START_MS + 86400000LL;

    double start = now_seconds();
    for (long offset = 0; offset < n; offset += batch) {
        long end = offset + batch < n ? offset + batch : n;
        exec(db, "BEGIN IMMEDIATE TRANSACTION");
        for (long i = offset; i < end; i++) {
            int64_t channel = i % channels + 1;
            int64_t ts = START_MS + (i / channels) * 60000LL;
            double value = (double)(i % 1000) * 0.25;
            sqlite3_bind_int64(insert, 1, channel);
            sqlite3_bind_int64(insert, 2, ts);
            sqlite3_bind_double(insert, 3, value);
            sqlite3_bind_int64(insert, 4, received_at);
            if (sqlite3_step(insert) != SQLITE_DONE) fail(db, "insert");
            if (sqlite3_changes(db) != 1) {
                fprintf(stderr, "row %ld was not inserted\n", i);
                exit(1);
            }
            sqlite3_reset(insert);
        }
        exec(db, "COMMIT TRANSACTION");
    }
    double elapsed = now_seconds() - start;

    sqlite3_stmt *count = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM readings", -1, &count, NULL) != SQLITE_OK ||
        sqlite3_step(count) != SQLITE_ROW)
        fail(db, "count");
    if (sqlite3_column_int64(count, 0) != n) {
        fprintf(stderr, "expected %ld rows, found %lld\n", n, (long long)sqlite3_column_int64(count, 0));
        exit(1);
    }
    sqlite3_finalize(count);
    sqlite3_finalize(insert);
    if (sqlite3_close(db) != SQLITE_OK) fail(db, "close");
    remove_database(path);
    return (double)n / elapsed;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB_PATH [N=1000000] [BATCH=1000] [CHANNELS=100]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    long batch = argc > 3 ? atol(argv[3]) : 1000;
    long channels = argc > 4 ? atol(argv[4]) : 100;
    if (n <= 0 || batch <= 0 || channels <= 0) {
        fprintf(stderr, "usage: %s DB_PATH [N > 0] [BATCH > 0] [CHANNELS > 0]\n", argv[0]);
        return 2;
    }
    printf("sqlite %s, n=%ld batch=%ld channels=%ld\n", sqlite3_libversion(), n, batch, channels);

    double rates[RUNS];
    for (int r = 0; r < RUNS; r++) {
        rates[r] = run(path, n, batch, channels);
        printf("run %d: %.0f rows/s\n", r + 1, rates[r]);
        fflush(stdout);
    }
    qsort(rates, RUNS, sizeof(double), compare_doubles);
    printf("c_ceiling rows_per_s=%.0f\n", rates[RUNS / 2]);
    return 0;
}
