// SPDX-License-Identifier: Apache-2.0
//
// C baseline for `hazardmon bench proj`: raw PROJ throughput on the same points as the Swift wrapper.
//
//   usage: proj_c_baseline [N=1000000] [R=5]
//
// Points: N pseudo-random points uniform over 106.5-109.5E, 28-32N, drawn from the LCG below, which
// Sources/HazardMon/BenchProjCommand.swift defines identically (same constants, same seed, lon drawn
// before lat). Each of R runs transforms all N points EPSG:4490 -> EPSG:4524 with one
// proj_create_crs_to_crs + proj_normalize_for_visualization transformation (created before timing),
// through proj_trans_generic in batches of 10,000, copying each batch from the input first (the wrapper
// copies its input array too). Prints each run, the median points/s, and a checksum of the last run's
// output so the Swift side can check both computed the same thing.
//
// Build: cc -O2 -o .build/bench/proj_c_baseline Benchmarks/proj/proj_c_baseline.c $(pkg-config --cflags --libs proj)

#include <proj.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 10000 };

// 64-bit LCG (Knuth's MMIX constants); a uniform double in [0, 1) from the top 53 bits.
static uint64_t lcg_state = 20261129u;
static double lcg_next(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (n <= 0 || runs <= 0) {
        fprintf(stderr, "usage: %s [points > 0] [runs > 0]\n", argv[0]);
        return 2;
    }

    double *lon = malloc(sizeof(double) * (size_t)n), *lat = malloc(sizeof(double) * (size_t)n);
    double *x = malloc(sizeof(double) * BATCH), *y = malloc(sizeof(double) * BATCH);
    double *rates = malloc(sizeof(double) * (size_t)runs);
    if (!lon || !lat || !x || !y || !rates) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        lon[i] = 106.5 + 3.0 * lcg_next();
        lat[i] = 28.0 + 4.0 * lcg_next();
    }

    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4490", "EPSG:4524", NULL);
    PJ *pj = raw ? proj_normalize_for_visualization(ctx, raw) : NULL;
    if (!pj) {
        fprintf(stderr, "cannot create EPSG:4490 -> EPSG:4524: %s\n",
                proj_context_errno_string(ctx, proj_context_errno(ctx)));
        return 1;
    }
    proj_destroy(raw);

    double checksum = 0;
    for (int r = 0; r < runs; r++) {
        checksum = 0;
        double start = now_seconds();
        for (long offset = 0; offset < n; offset += BATCH) {
            long count = n - offset < BATCH ? n - offset : BATCH;
            memcpy(x, lon + offset, sizeof(double) * (size_t)count);
            memcpy(y, lat + offset, sizeof(double) * (size_t)count);
            proj_errno_reset(pj);
            proj_trans_generic(pj, PJ_FWD, x, sizeof(double), (size_t)count, y, sizeof(double), (size_t)count,
                               NULL, 0, 0, NULL, 0, 0);
            if (proj_errno(pj) != 0) {
                fprintf(stderr, "transform failed: %s\n", proj_context_errno_string(ctx, proj_errno(pj)));
                return 1;
            }
            for (long i = 0; i < count; i++) checksum += x[i] + y[i];
        }
        double elapsed = now_seconds() - start;
        rates[r] = (double)n / elapsed;
        printf("run %d: %.0f points/s\n", r + 1, rates[r]);
    }
    qsort(rates, (size_t)runs, sizeof(double), compare_doubles);
    double median = runs % 2 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
    printf("median_points_per_second=%.0f\n", median);
    printf("checksum=%.6f\n", checksum);

    proj_destroy(pj);
    proj_context_destroy(ctx);
    free(lon); free(lat); free(x); free(y); free(rates);
    return 0;
}
