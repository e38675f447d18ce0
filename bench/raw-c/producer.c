/*
 * The raw C librdkafka producer of the benchmark's latency matrix: the physical limit KafkaFast is compared with.
 * Same workload and settings as the .NET clients (bench/KafkaFast.Benchmarks/Matrix): 16-byte keys, 100-byte values
 * carrying the message's sequence number, acks=all, idempotence, linger.ms 5, no compression; rd_kafka_producev +
 * rd_kafka_poll(rk, 0) per message (RD_KAFKA_MSG_F_COPY: the value buffer is reused), delivery reports through
 * dr_msg_cb on the producing thread. Built and run by the benchmark (RawCProducer.cs) against the headers of the
 * librdkafka.redist package and linked to the very file KafkaFast loads (never the system's librdkafka).
 *
 * Measured from the first measured producev until every delivery report is in: CPU of the whole process
 * (getrusage), wall time, peak RSS (VmHWM), CPU per thread (/proc/self/task), and the delivery latency of
 * every K-th message (clock_gettime before producev -> its dr_msg_cb), written as int64 nanoseconds to a file.
 * Prints one line "result {json}" on stdout; errors go to stderr with a non-zero exit code.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define KEY_LEN 16
#define VALUE_LEN 100
#define KEY_COUNT 1024
#define MAX_THREADS 256
#define MAX_PROPS 64

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t cpu_ns(int64_t *user, int64_t *sys) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        *user = (int64_t)ru.ru_utime.tv_sec * 1000000000LL + (int64_t)ru.ru_utime.tv_usec * 1000LL;
        *sys  = (int64_t)ru.ru_stime.tv_sec * 1000000000LL + (int64_t)ru.ru_stime.tv_usec * 1000LL;
        return *user + *sys;
}

/* The workload, identical in every client (Matrix/MatrixWorkload.cs): the key of sequence s is one of 1024
 * 16-byte keys, chosen by the top 10 bits of s * 2^64/phi; the value holds s (little endian) then a fixed pattern. */
static void key_for(int64_t seq, char *key) {
        uint64_t index = ((uint64_t)seq * 0x9E3779B97F4A7C15ULL) >> 54;
        char text[KEY_LEN + 1];
        snprintf(text, sizeof(text), "key-%012" PRIu64, index);
        memcpy(key, text, KEY_LEN);
}

static void value_init(unsigned char *value) {
        for (int j = 8; j < VALUE_LEN; j++)
                value[j] = (unsigned char)(j * 7 + 11);
}

static void value_set(unsigned char *value, int64_t seq) {
        uint64_t s = (uint64_t)seq;
        for (int b = 0; b < 8; b++)
                value[b] = (unsigned char)(s >> (8 * b));
}

/* Delivery reports (on the producing thread, inside rd_kafka_poll). */
static int64_t delivered, failed;
static char first_error[256];
static int64_t *probe_enqueued, *probe_latency;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        (void)rk;
        (void)opaque;
        if (m->err) {
                if (failed++ == 0)
                        snprintf(first_error, sizeof(first_error), "%s", rd_kafka_err2str(m->err));
        } else {
                delivered++;
        }
        if (m->_private) {
                size_t probe = (size_t)(uintptr_t)m->_private - 1;
                probe_latency[probe] = m->err ? -1 : now_ns() - probe_enqueued[probe];
        }
}

/* CPU per thread: name and nanoseconds on a CPU (schedstat; stat's 10 ms ticks where schedstat is missing). */
struct thread_cpu {
        int tid;
        char name[32];
        int64_t ns;
};

static int read_threads(struct thread_cpu *threads) {
        DIR *dir = opendir("/proc/self/task");
        if (!dir)
                return 0;
        int n = 0;
        struct dirent *entry;
        while ((entry = readdir(dir)) && n < MAX_THREADS) {
                if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
                        continue;
                char path[128], buf[1024];
                struct thread_cpu *t = &threads[n];
                t->tid = atoi(entry->d_name);
                snprintf(path, sizeof(path), "/proc/self/task/%d/stat", t->tid);
                FILE *f = fopen(path, "r");
                if (!f)
                        continue;
                size_t len = fread(buf, 1, sizeof(buf) - 1, f);
                fclose(f);
                buf[len] = 0;
                char *open = strchr(buf, '('), *close = strrchr(buf, ')');
                if (!open || !close || close < open)
                        continue;
                int name_len = (int)(close - open - 1);
                if (name_len > (int)sizeof(t->name) - 1)
                        name_len = sizeof(t->name) - 1;
                memcpy(t->name, open + 1, name_len);
                t->name[name_len] = 0;
                /* utime and stime: fields 14 and 15, the 12th and 13th after ") state". */
                long long utime = 0, stime = 0;
                char *p = close + 2;
                for (int field = 3; field < 14 && p; field++)
                        p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
                if (p)
                        sscanf(p, "%lld %lld", &utime, &stime);
                t->ns = (utime + stime) * (1000000000LL / 100);
                snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", t->tid);
                f = fopen(path, "r");
                if (f) {
                        long long on_cpu;
                        if (fscanf(f, "%lld", &on_cpu) == 1)
                                t->ns = on_cpu;
                        fclose(f);
                }
                n++;
        }
        closedir(dir);
        return n;
}

/* Peak RSS of this process image (VmHWM). Not getrusage's ru_maxrss: Linux folds the pre-exec image's peak (the
 * forked copy of the .NET parent that started us) into it. */
static long long peak_rss_bytes(void) {
        FILE *f = fopen("/proc/self/status", "r");
        if (!f)
                return 0;
        char line[256];
        long long kb = 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
                        break;
        fclose(f);
        return kb * 1024;
}

/* The librdkafka file mapped into this process (proof that the package's build, not the system's, is running). */
static void mapped_librdkafka(char *out, size_t size) {
        out[0] = 0;
        FILE *f = fopen("/proc/self/maps", "r");
        if (!f)
                return;
        char line[1024];
        while (fgets(line, sizeof(line), f)) {
                char *path = strchr(line, '/');
                if (!path || !strstr(path, "librdkafka"))
                        continue;
                path[strcspn(path, "\n")] = 0;
                if (out[0] && strcmp(out, path) != 0) {
                        /* a second librdkafka file: report both */
                        strncat(out, ";", size - strlen(out) - 1);
                        strncat(out, path, size - strlen(out) - 1);
                        break;
                }
                snprintf(out, size, "%s", path);
        }
        fclose(f);
}

static void json_string(FILE *out, const char *s) {
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', out);
                if ((unsigned char)*s < 0x20)
                        fprintf(out, "\\u%04x", *s);
                else
                        fputc(*s, out);
        }
        fputc('"', out);
}

static void usage(const char *self) {
        fprintf(stderr,
                "usage: %s --bootstrap HOSTS --topic NAME --messages N [--warmup N] [--rate MSGS_PER_S (0: flat out)]\n"
                "          [--sample-every K] [--latency-file PATH] [--prop KEY=VALUE]... [--timeout-s S]\n",
                self);
        exit(2);
}

/* Produces messages [first, first + count), paced at rate messages/s from the start (0: flat out). Every
 * sample_every-th message is timed (a probe); a probe whose first call is refused passes to the next message. */
static size_t probes_taken, probes_capacity;

static int produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int64_t first, int64_t count, double rate,
                   int sample_every, int64_t *retries) {
        unsigned char value[VALUE_LEN];
        char key[KEY_LEN];
        value_init(value);
        int carry = 0;
        int64_t start = now_ns();
        for (int64_t i = 0; i < count; i++) {
                if (rate > 0) {
                        int64_t due = start + (int64_t)((double)i * 1e9 / rate);
                        while (now_ns() < due)
                                rd_kafka_poll(rk, 1); /* serves delivery reports while it waits */
                }
                int64_t seq = first + i;
                key_for(seq, key);
                value_set(value, seq);
                void *opaque = NULL;
                int probe = sample_every > 0 && (carry || i % sample_every == 0) && probes_taken < probes_capacity;
                if (probe) {
                        probe_enqueued[probes_taken] = now_ns();
                        opaque = (void *)(uintptr_t)(probes_taken + 1);
                }
                rd_kafka_resp_err_t err;
                while ((err = rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, KEY_LEN),
                                                RD_KAFKA_V_VALUE(value, VALUE_LEN), RD_KAFKA_V_OPAQUE(opaque),
                                                RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        opaque = NULL; /* refused: not timed; the next message is */
                        (*retries)++;
                        rd_kafka_poll(rk, 1);
                }
                if (err) {
                        fprintf(stderr, "producev failed at sequence %" PRId64 ": %s\n", seq, rd_kafka_err2str(err));
                        return -1;
                }
                if (opaque)
                        probes_taken++;
                carry = probe && !opaque;
                rd_kafka_poll(rk, 0);
        }
        return 0;
}

/* Waits (polling, never rd_kafka_flush: it drops linger to 0 and spins the idempotent producer) for every report. */
static int wait_reports(rd_kafka_t *rk, int64_t total, int timeout_s) {
        int64_t deadline = now_ns() + (int64_t)timeout_s * 1000000000LL;
        while (delivered + failed < total) {
                if (now_ns() > deadline)
                        return -1;
                rd_kafka_poll(rk, 50);
        }
        return 0;
}

int main(int argc, char **argv) {
        const char *bootstrap = NULL, *topic = NULL, *latency_file = NULL;
        const char *props[MAX_PROPS];
        int nprops = 0, sample_every = 64, timeout_s = 600;
        int64_t messages = -1, warmup = 0;
        double rate = 0;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (i + 1 >= argc)
                        usage(argv[0]);
                const char *v = argv[++i];
                if (!strcmp(a, "--bootstrap")) bootstrap = v;
                else if (!strcmp(a, "--topic")) topic = v;
                else if (!strcmp(a, "--messages")) messages = atoll(v);
                else if (!strcmp(a, "--warmup")) warmup = atoll(v);
                else if (!strcmp(a, "--rate")) rate = atof(v);
                else if (!strcmp(a, "--sample-every")) sample_every = atoi(v);
                else if (!strcmp(a, "--latency-file")) latency_file = v;
                else if (!strcmp(a, "--timeout-s")) timeout_s = atoi(v);
                else if (!strcmp(a, "--prop") && nprops < MAX_PROPS) props[nprops++] = v;
                else usage(argv[0]);
        }
        if (!bootstrap || !topic || messages < 1 || warmup < 0 || sample_every < 1 || rate < 0)
                usage(argv[0]);

        if (rd_kafka_version() < 0x021000ff) {
                fprintf(stderr, "librdkafka %s is older than the package's 2.16.0: the wrong file was loaded\n",
                        rd_kafka_version_str());
                return 3;
        }

        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        const char *settings[][2] = {{"bootstrap.servers", bootstrap}, {"acks", "all"},
                                     {"enable.idempotence", "true"},   {"linger.ms", "5"},
                                     {"compression.type", "none"}};
        for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++)
                if (rd_kafka_conf_set(conf, settings[s][0], settings[s][1], errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                        fprintf(stderr, "%s\n", errstr);
                        return 2;
                }
        for (int p = 0; p < nprops; p++) {
                char pair[512];
                snprintf(pair, sizeof(pair), "%s", props[p]);
                char *eq = strchr(pair, '=');
                if (!eq) {
                        fprintf(stderr, "--prop expects KEY=VALUE, got '%s'\n", props[p]);
                        return 2;
                }
                *eq = 0;
                if (rd_kafka_conf_set(conf, pair, eq + 1, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                        fprintf(stderr, "%s\n", errstr);
                        return 2;
                }
        }
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

        size_t probes = (size_t)(messages / sample_every + 2);
        probe_enqueued = calloc(probes, sizeof(int64_t));
        probe_latency = calloc(probes, sizeof(int64_t));
        int64_t retries = 0, warmup_retries = 0;

        /* Warm-up: two rounds (connections, producer ids, metadata), each until delivered, then a pause. */
        int64_t half = warmup / 2;
        int64_t rounds[2] = {half, warmup - half};
        int64_t sent = 0;
        for (int r = 0; r < 2; r++) {
                if (rounds[r] == 0)
                        continue;
                if (produce(rk, rkt, sent, rounds[r], 0, 0, &warmup_retries) != 0 ||
                    wait_reports(rk, sent + rounds[r], timeout_s) != 0 || failed != 0) {
                        fprintf(stderr, "warm-up: %" PRId64 " of %" PRId64 " delivered, %" PRId64 " failed %s\n",
                                delivered, sent + rounds[r], failed, first_error);
                        return 1;
                }
                sent += rounds[r];
                usleep(300 * 1000);
        }

        struct thread_cpu *before = calloc(MAX_THREADS, sizeof(struct thread_cpu));
        struct thread_cpu *after = calloc(MAX_THREADS, sizeof(struct thread_cpu));
        int nbefore = read_threads(before);
        int64_t user0, sys0, user1, sys1;
        cpu_ns(&user0, &sys0);
        int64_t wall0 = now_ns();

        probes_capacity = probes;
        int rc = produce(rk, rkt, warmup, messages, rate, sample_every, &retries);
        int complete = rc == 0 && wait_reports(rk, warmup + messages, timeout_s) == 0;

        int64_t wall1 = now_ns();
        cpu_ns(&user1, &sys1);
        int nafter = read_threads(after);

        char mapped[2048];
        mapped_librdkafka(mapped, sizeof(mapped));

        int64_t recorded = 0;
        if (latency_file) {
                FILE *lf = fopen(latency_file, "wb");
                if (!lf) {
                        fprintf(stderr, "cannot write %s: %s\n", latency_file, strerror(errno));
                        return 1;
                }
                for (size_t p = 0; p < probes; p++)
                        if (probe_latency[p] > 0) {
                                fwrite(&probe_latency[p], sizeof(int64_t), 1, lf);
                                recorded++;
                        }
                fclose(lf);
        }

        printf("result {\"client\":\"raw-c\",\"produced\":%" PRId64 ",\"measured\":%" PRId64
               ",\"delivered\":%" PRId64 ",\"failed\":%" PRId64 ",\"retries\":%" PRId64 ",\"complete\":%s"
               ",\"cpuNs\":%" PRId64 ",\"userNs\":%" PRId64 ",\"systemNs\":%" PRId64 ",\"wallNs\":%" PRId64
               ",\"peakRssBytes\":%lld,\"latencySamples\":%" PRId64 ",\"librdkafkaVersion\":",
               warmup + messages, messages, delivered, failed, retries, complete ? "true" : "false",
               (user1 - user0) + (sys1 - sys0), user1 - user0, sys1 - sys0, wall1 - wall0,
               peak_rss_bytes(), recorded);
        json_string(stdout, rd_kafka_version_str());
        printf(",\"librdkafka\":");
        json_string(stdout, mapped);
        printf(",\"error\":");
        json_string(stdout, first_error);
        printf(",\"threads\":[");
        for (int a = 0; a < nafter; a++) {
                int64_t from = 0;
                for (int b = 0; b < nbefore; b++)
                        if (before[b].tid == after[a].tid && !strcmp(before[b].name, after[a].name))
                                from = before[b].ns;
                printf("%s{\"name\":", a ? "," : "");
                json_string(stdout, after[a].name);
                printf(",\"cpuNs\":%" PRId64 "}", after[a].ns - from);
        }
        printf("]}\n");
        fflush(stdout);

        rd_kafka_topic_destroy(rkt);
        rd_kafka_flush(rk, 10 * 1000);
        rd_kafka_destroy(rk);
        return complete && failed == 0 ? 0 : 1;
}
