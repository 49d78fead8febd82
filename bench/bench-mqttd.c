/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mqttd between a real Mosquitto on 127.0.0.1 and hvacd (sim backend) on a private bus:
 *   - latency from a publish on the target temperature's command topic to hvacd's
 *     PropertiesChanged for it (broker, mqttd's checks, the bus call, hvacd);
 *   - latency from a SetTargetTemperature on the bus to the state topic's message at a
 *     subscriber (hvacd's signal, mqttd, the broker);
 *   - mqttd's peak RSS and context switches over the run;
 * with Mosquitto as shipped, and with its set_tcp_nodelay (mqttd sets TCP_NODELAY on its side). */

#include <inttypes.h>
#include <math.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fileio.h"
#include "harness.h"

#define NAME "org.voicehvac.Hvac1"
#define PATH "/org/voicehvac/Hvac1"
#define IFACE "org.voicehvac.Hvac1"
#define ROUNDS 100
#define TOPIC_SET "voicehvac/bench/climate/target_temperature/set"
#define TOPIC_STATE "voicehvac/bench/climate/target_temperature"

static double seen_bus = NAN, seen_mqtt = NAN;

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *iface, *name;
        double d;

        if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, "TargetTemperature") && sd_bus_message_read(m, "v", "d", &d) >= 0)
                        seen_bus = d;
                else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

static void on_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *msg) {
        char buf[32];

        if (msg->payloadlen <= 0 || msg->payloadlen >= (int) sizeof buf)
                return;
        memcpy(buf, msg->payload, msg->payloadlen);
        buf[msg->payloadlen] = '\0';
        seen_mqtt = strtod(buf, NULL);
}

static void report(const char *what, double *ms, unsigned n) {
        if (n == 0) {
                printf("mqttd: %s: nothing arrived\n", what);
                return;
        }
        qsort(ms, n, sizeof(double), compare_double);
        printf("mqttd: %s p50 %.2f ms, p95 %.2f ms, max %.2f ms over %u rounds (loopback)\n", what, ms[n / 2],
               ms[(n * 95) / 100], ms[n - 1], n);
}

static unsigned free_port(void) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *) &a, &len) < 0)
                return 0;
        return ntohs(a.sin_port);
}

static unsigned long long context_switches(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long long v = 0, iv = 0;
        const char *p;

        if (asprintf(&path, "/proc/%i/status", (int) pid) < 0 || read_full_file(path, 1 << 16, &text, NULL) < 0)
                return 0;
        if ((p = strstr(text, "voluntary_ctxt_switches:")))
                v = strtoull(p + 24, NULL, 10);
        if ((p = strstr(text, "nonvoluntary_ctxt_switches:")))
                iv = strtoull(p + 27, NULL, 10);
        return v + iv;
}

/* One stack: the broker (with or without TCP_NODELAY on its side), hvacd and mqttd. */
static int bench_run(sd_bus *bus, bool broker_nodelay) {
        _cleanup_free_ char *conf = test_tmp_path("mosquitto.conf"), *hvacd_conf = test_tmp_path("hvacd.json"),
                            *mqttd_conf = test_tmp_path("mqttd.json"), *hvacd = test_build_path("hvacd/hvacd"),
                            *mqttd = test_build_path("mqttd/mqttd"), *text = NULL, *broker = NULL;
        double to_bus[ROUNDS], to_mqtt[ROUNDS];
        unsigned n_bus = 0, n_mqtt = 0, port = free_port();
        unsigned long long cs0;
        struct mosquitto *mosq = NULL;
        pid_t mq, hv, md;

        if (port == 0 || asprintf(&text, "listener %u 127.0.0.1\n%sallow_anonymous true\npersistence false\n%s", port,
                                  broker_nodelay ? "set_tcp_nodelay true\n" : "", getuid() == 0 ? "user root\n" : "") < 0 ||
            test_write_file(conf, text) < 0 ||
            test_write_file(hvacd_conf, "{ \"backend\": \"sim\", \"temperature_step\": 0.5 }") < 0 ||
            test_write_file(mqttd_conf, "{ \"node_id\": \"bench\" }") < 0 ||
            asprintf(&broker, "mqtt://127.0.0.1:%u", port) < 0)
                return -ENOMEM;

        mq = test_spawn("bench-mqttd-mosquitto", (char *[]) { (char *) "mosquitto", (char *) "-c", conf, NULL });
        hv = test_spawn("bench-mqttd-hvacd", (char *[]) { hvacd, (char *) "--config", hvacd_conf, NULL });
        md = test_spawn("bench-mqttd", (char *[]) { mqttd, (char *) "--config", mqttd_conf, (char *) "--broker", broker, NULL });
        if (mq <= 0 || hv <= 0 || md <= 0 || test_wait_for_name(bus, NAME, 10 * USEC_PER_SEC) < 0 ||
            test_wait_for_name(bus, "org.voicehvac.Mqtt1", 10 * USEC_PER_SEC) < 0) {
                printf("mqttd: the stack did not start (see %s/test-logs/bench-mqttd*.log)\n", test_build_dir());
                return -ESRCH;
        }

        mosq = mosquitto_new("bench-mqttd-client", true, NULL);
        mosquitto_message_callback_set(mosq, on_message);
        mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
             mosquitto_connect(mosq, "127.0.0.1", (int) port, 30) != MOSQ_ERR_SUCCESS;) {
                if (now_usec(CLOCK_MONOTONIC) > end) {
                        printf("mqttd: the broker did not start, nothing measured\n");
                        return -ESRCH;
                }
                usleep(50000);
        }
        mosquitto_subscribe(mosq, NULL, TOPIC_STATE, 1);
        /* mqttd is connected once its state is there. */
        seen_mqtt = NAN;
        for (usec_t end = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC; isnan(seen_mqtt) && now_usec(CLOCK_MONOTONIC) < end;)
                mosquitto_loop(mosq, 10, 1);

        cs0 = context_switches(md);
        for (unsigned i = 0; i < ROUNDS; i++) {
                double t = 18 + (i % 2) * 0.5;
                char payload[16];
                usec_t start, end;

                /* MQTT → D-Bus. */
                snprintf(payload, sizeof payload, "%g", t);
                seen_bus = NAN;
                start = now_usec(CLOCK_MONOTONIC);
                mosquitto_publish(mosq, NULL, TOPIC_SET, (int) strlen(payload), payload, 1, false);
                (void) mosquitto_loop_write(mosq, 1);
                for (end = start + 5 * USEC_PER_SEC; seen_bus != t && now_usec(CLOCK_MONOTONIC) < end;)
                        if (sd_bus_process(bus, NULL) == 0)
                                (void) sd_bus_wait(bus, 5 * USEC_PER_MSEC);
                if (seen_bus == t)
                        to_bus[n_bus++] = (double) (now_usec(CLOCK_MONOTONIC) - start) / 1000.0;
                for (end = now_usec(CLOCK_MONOTONIC) + 20 * USEC_PER_MSEC; now_usec(CLOCK_MONOTONIC) < end;)
                        mosquitto_loop(mosq, 5, 1);

                /* D-Bus → MQTT. */
                t = 25 + (i % 2) * 0.5;
                seen_mqtt = NAN;
                start = now_usec(CLOCK_MONOTONIC);
                if (sd_bus_call_method(bus, NAME, PATH, IFACE, "SetTargetTemperature", NULL, NULL, "d", t) < 0)
                        continue;
                for (end = start + 5 * USEC_PER_SEC; seen_mqtt != t && now_usec(CLOCK_MONOTONIC) < end;)
                        mosquitto_loop(mosq, 5, 1);
                if (seen_mqtt == t)
                        to_mqtt[n_mqtt++] = (double) (now_usec(CLOCK_MONOTONIC) - start) / 1000.0;
        }
        printf("mqttd (%s):\n", broker_nodelay ? "broker with set_tcp_nodelay" : "broker as shipped");
        report("command topic→hvacd's PropertiesChanged", to_bus, n_bus);
        report("SetTargetTemperature→state topic at a subscriber", to_mqtt, n_mqtt);
        printf("mqttd: %llu context switches for %u round trips each way; peak RSS %ld KiB\n",
               context_switches(md) - cs0, ROUNDS, test_peak_rss_kib(md));

        mosquitto_destroy(mosq);
        (void) test_stop(md, 10 * USEC_PER_SEC);
        (void) test_stop(hv, 10 * USEC_PER_SEC);
        (void) test_stop(mq, 10 * USEC_PER_SEC);
        return n_bus > 0 && n_mqtt > 0 ? 0 : -EIO;
}

int main(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *state = test_tmp_path("state");
        int r;

        if (test_bus_start() < 0 || test_bus_connect(&bus) < 0) {
                printf("mqttd: no private bus (dbus-daemon missing?), nothing measured\n");
                return 1;
        }
        (void) mkdir(state, 0755);
        setenv("STATE_DIRECTORY", state, 1);
        (void) sd_bus_match_signal(bus, NULL, NULL, PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                   on_properties_changed, NULL);
        mosquitto_lib_init();
        /* Mosquitto's own default, then with Nagle's algorithm off on its side too: a broker that
         * holds back small packets until the peer's delayed ACK adds ~40 ms to a command. */
        r = bench_run(bus, false);
        if (r >= 0)
                r = bench_run(bus, true);
        mosquitto_lib_cleanup();
        return r < 0 ? 1 : 0;
}
