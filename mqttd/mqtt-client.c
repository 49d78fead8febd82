/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <mosquitto.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "mqtt-client.h"

/* How long an attempt may take from the first SYN to the broker's CONNACK, TLS included. */
#define MQTT_CONNECT_TIMEOUT_USEC (10 * USEC_PER_SEC)

struct MqttClient {
        sd_event *event;
        struct mosquitto *mosq;
        MqttClientCallbacks callbacks;
        void *userdata;

        char *host;
        unsigned port;
        char *will_topic;
        char *will_payload;
        unsigned keepalive_sec;
        uint64_t reconnect_initial_usec, reconnect_max_usec, reconnect_delay_usec;

        sd_event_source *io;
        sd_event_source *keepalive_timer;
        sd_event_source *reconnect_timer;
        sd_event_source *connect_timer;
        bool connected;
        bool stopping;
        int connack;                    /* the broker's refusal code, 0 when none */
        unsigned connects;

        int shutdown_mid;
        bool shutdown_acked;
};

int mqtt_error_to_errno(int e) {
        switch (e) {
        case MOSQ_ERR_SUCCESS:
                return 0;
        case MOSQ_ERR_NOMEM:
                return -ENOMEM;
        case MOSQ_ERR_INVAL:
                return -EINVAL;
        case MOSQ_ERR_NO_CONN:
                return -ENOTCONN;
        case MOSQ_ERR_CONN_REFUSED:
                return -ECONNREFUSED;
        case MOSQ_ERR_CONN_LOST:
                return -ECONNRESET;
        case MOSQ_ERR_TLS:
        case MOSQ_ERR_TLS_HANDSHAKE:
        case MOSQ_ERR_PROTOCOL:
        case MOSQ_ERR_MALFORMED_PACKET:
                return -EPROTO;
        case MOSQ_ERR_PAYLOAD_SIZE:
        case MOSQ_ERR_OVERSIZE_PACKET:
                return -EMSGSIZE;
        case MOSQ_ERR_NOT_SUPPORTED:
                return -EOPNOTSUPP;
        case MOSQ_ERR_AUTH:
        case MOSQ_ERR_ACL_DENIED:
                return -EACCES;
        case MOSQ_ERR_ERRNO:
                return errno > 0 ? -errno : -EIO;
        case MOSQ_ERR_EAI:
        case MOSQ_ERR_LOOKUP:
                return -EHOSTUNREACH;
        case MOSQ_ERR_KEEPALIVE:
        case MOSQ_ERR_TIMEOUT:
                return -ETIMEDOUT;
        default:
                return -EIO;
        }
}

static void mqtt_client_io_update(MqttClient *c);
static int mqtt_client_connect(MqttClient *c);

static void mqtt_client_drop_io(MqttClient *c) {
        c->io = sd_event_source_disable_unref(c->io);
        c->keepalive_timer = sd_event_source_disable_unref(c->keepalive_timer);
        c->connect_timer = sd_event_source_disable_unref(c->connect_timer);
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        MqttClient *c = userdata;

        c->reconnect_timer = sd_event_source_disable_unref(c->reconnect_timer);
        (void) mqtt_client_connect(c);
        return 0;
}

/* The next attempt after the current delay, which then doubles up to the maximum. */
static void mqtt_client_schedule_reconnect(MqttClient *c) {
        int r;

        if (c->stopping || c->reconnect_timer)
                return;
        r = sd_event_add_time_relative(c->event, &c->reconnect_timer, CLOCK_MONOTONIC, c->reconnect_delay_usec,
                                       0, on_reconnect_timer, c);
        if (r < 0) {
                log_error_errno(r, "Failed to schedule reconnecting to the broker: %m");
                return;
        }
        log_info("Reconnecting to %s:%u in %.1f s.", c->host, c->port, c->reconnect_delay_usec / 1e6);
        c->reconnect_delay_usec = MIN(c->reconnect_delay_usec * 2, c->reconnect_max_usec);
}

static void on_mosq_connect(struct mosquitto *mosq, void *userdata, int rc) {
        MqttClient *c = userdata;

        if (rc != 0) {
                /* libmosquitto ends the session itself; on_mosq_disconnect follows. */
                c->connack = rc;
                return;
        }
        c->connack = 0;
        c->connected = true;
        c->connects++;
        c->connect_timer = sd_event_source_disable_unref(c->connect_timer);
        c->reconnect_delay_usec = c->reconnect_initial_usec;
        log_info("Connected to the broker at %s:%u.", c->host, c->port);
        if (c->callbacks.connected)
                c->callbacks.connected(c, c->userdata);
}

static void on_mosq_disconnect(struct mosquitto *mosq, void *userdata, int rc) {
        MqttClient *c = userdata;
        bool was_connected = c->connected;
        int error;

        /* The socket is closed after this returns: its source goes first. */
        mqtt_client_drop_io(c);
        c->connected = false;
        if (c->stopping)
                return;

        error = mqtt_error_to_errno(rc ?: MOSQ_ERR_CONN_LOST);
        if (c->connack != 0)
                log_warning("The broker at %s:%u refused the connection: %s.", c->host, c->port,
                            mosquitto_connack_string(c->connack));
        else if (was_connected)
                log_warning_errno(error, "Lost the connection to the broker at %s:%u: %m", c->host, c->port);
        else
                log_warning_errno(error, "Failed to connect to the broker at %s:%u: %m", c->host, c->port);
        c->connack = 0;

        if (c->callbacks.disconnected)
                c->callbacks.disconnected(c, error, c->userdata);
        mqtt_client_schedule_reconnect(c);
}

static void on_mosq_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *msg) {
        MqttClient *c = userdata;

        if (c->stopping || !c->callbacks.message || !msg->topic)
                return;
        c->callbacks.message(c, msg->topic, msg->payload ?: "", msg->payloadlen > 0 ? (size_t) msg->payloadlen : 0,
                             msg->retain, c->userdata);
}

static void on_mosq_publish(struct mosquitto *mosq, void *userdata, int mid) {
        MqttClient *c = userdata;

        if (c->stopping && mid == c->shutdown_mid)
                c->shutdown_acked = true;
}

/* After each step the library may have something to write (or not any more). */
static void mqtt_client_io_update(MqttClient *c) {
        if (!c->io)
                return;
        (void) sd_event_source_set_io_events(c->io, EPOLLIN | (mosquitto_want_write(c->mosq) ? EPOLLOUT : 0));
}

static int on_socket(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MqttClient *c = userdata;

        /* Either may end the session (on_mosq_disconnect drops this source). */
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                (void) mosquitto_loop_read(c->mosq, 1);
        if (c->io && (revents & EPOLLOUT))
                (void) mosquitto_loop_write(c->mosq, 1);
        mqtt_client_io_update(c);
        return 0;
}

static int on_keepalive_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        MqttClient *c = userdata;
        int r;

        /* Sends PINGREQ when due, and ends a session whose broker stopped answering. */
        (void) mosquitto_loop_misc(c->mosq);
        mqtt_client_io_update(c);
        if (!c->keepalive_timer)
                return 0;
        r = sd_event_source_set_time_relative(s, c->keepalive_sec * USEC_PER_SEC / 4);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ON);
        if (r < 0)
                log_warning_errno(r, "Failed to rearm the keep-alive timer: %m");
        return 0;
}

/* An attempt that neither succeeds nor fails (a TLS handshake that stalls, a broker that takes
 * the connection and says nothing) is given up, and the next one is scheduled as after a failure;
 * the library closes the old socket when the next attempt starts. */
static int on_connect_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        MqttClient *c = userdata;

        if (c->connected)
                return 0;
        log_warning("No session with the broker at %s:%u within %llu s; giving the attempt up.", c->host, c->port,
                    (unsigned long long) (MQTT_CONNECT_TIMEOUT_USEC / USEC_PER_SEC));
        mqtt_client_drop_io(c);
        if (c->callbacks.disconnected)
                c->callbacks.disconnected(c, -ETIMEDOUT, c->userdata);
        mqtt_client_schedule_reconnect(c);
        return 0;
}

static int mqtt_client_connect(MqttClient *c) {
        int fd, r;

        c->connack = 0;
        r = mosquitto_will_set(c->mosq, c->will_topic, strlen(c->will_payload), c->will_payload, 1, true);
        if (r != MOSQ_ERR_SUCCESS)
                return log_error_errno(mqtt_error_to_errno(r), "Failed to set the last will: %s", mosquitto_strerror(r));

        /* Resolving a host name blocks; an address or a name from /etc/hosts is immediate. */
        r = mosquitto_connect_async(c->mosq, c->host, (int) c->port, (int) c->keepalive_sec);
        if (r != MOSQ_ERR_SUCCESS) {
                log_warning_errno(mqtt_error_to_errno(r), "Failed to connect to the broker at %s:%u: %s", c->host,
                                  c->port, r == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(r));
                if (c->callbacks.disconnected)
                        c->callbacks.disconnected(c, mqtt_error_to_errno(r), c->userdata);
                mqtt_client_schedule_reconnect(c);
                return 0;
        }

        fd = mosquitto_socket(c->mosq);
        if (fd < 0) {
                mqtt_client_schedule_reconnect(c);
                return 0;
        }
        mqtt_client_drop_io(c);
        r = sd_event_add_io(c->event, &c->io, fd, EPOLLIN | EPOLLOUT, on_socket, c);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the broker's socket: %m");
        r = sd_event_add_time_relative(c->event, &c->keepalive_timer, CLOCK_MONOTONIC,
                                       c->keepalive_sec * USEC_PER_SEC / 4, USEC_PER_SEC / 4, on_keepalive_timer, c);
        if (r < 0)
                return log_error_errno(r, "Failed to add the keep-alive timer: %m");
        r = sd_event_add_time_relative(c->event, &c->connect_timer, CLOCK_MONOTONIC, MQTT_CONNECT_TIMEOUT_USEC, 0,
                                       on_connect_timeout, c);
        if (r < 0)
                return log_error_errno(r, "Failed to add the connection timer: %m");
        mqtt_client_io_update(c);
        return 0;
}

int mqtt_client_new(sd_event *event, const MqttClientConfig *config, const MqttClientCallbacks *callbacks,
                    void *userdata, MqttClient **ret) {
        _cleanup_(mqtt_client_freep) MqttClient *c = NULL;
        int r;

        assert(event && config && callbacks && ret);
        assert(config->host && config->client_id && config->will_topic && config->will_payload);

        c = calloc(1, sizeof(MqttClient));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->callbacks = *callbacks;
        c->userdata = userdata;
        c->port = config->port;
        c->keepalive_sec = config->keepalive_sec;
        c->reconnect_initial_usec = config->reconnect_initial_ms * USEC_PER_MSEC;
        c->reconnect_max_usec = config->reconnect_max_ms * USEC_PER_MSEC;
        c->reconnect_delay_usec = c->reconnect_initial_usec;
        c->host = strdup(config->host);
        c->will_topic = strdup(config->will_topic);
        c->will_payload = strdup(config->will_payload);
        if (!c->host || !c->will_topic || !c->will_payload)
                return -ENOMEM;

        c->mosq = mosquitto_new(config->client_id, true, c);
        if (!c->mosq)
                return negative_errno();
        r = mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        if (r != MOSQ_ERR_SUCCESS)
                return mqtt_error_to_errno(r);
        /* Small messages, each wanted at once: a PUBACK held back by Nagle's algorithm until the
         * peer's delayed ACK costs 40 ms a command. */
        r = mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
        if (r != MOSQ_ERR_SUCCESS)
                return mqtt_error_to_errno(r);
        if (config->username) {
                r = mosquitto_username_pw_set(c->mosq, config->username, config->password);
                if (r != MOSQ_ERR_SUCCESS)
                        return mqtt_error_to_errno(r);
        }
        if (config->tls) {
                r = mosquitto_tls_set(c->mosq, isempty(config->ca_file) ? NULL : config->ca_file,
                                      isempty(config->ca_file) ? "/etc/ssl/certs" : NULL, NULL, NULL, NULL);
                if (r != MOSQ_ERR_SUCCESS)
                        return mqtt_error_to_errno(r);
        }
        mosquitto_connect_callback_set(c->mosq, on_mosq_connect);
        mosquitto_disconnect_callback_set(c->mosq, on_mosq_disconnect);
        mosquitto_message_callback_set(c->mosq, on_mosq_message);
        mosquitto_publish_callback_set(c->mosq, on_mosq_publish);

        *ret = TAKE_PTR(c);
        return 0;
}

MqttClient *mqtt_client_free(MqttClient *c) {
        if (!c)
                return NULL;
        c->stopping = true;
        mqtt_client_drop_io(c);
        c->reconnect_timer = sd_event_source_disable_unref(c->reconnect_timer);
        if (c->mosq)
                mosquitto_destroy(c->mosq);
        sd_event_unref(c->event);
        free(c->host);
        free(c->will_topic);
        free(c->will_payload);
        free(c);
        return NULL;
}

int mqtt_client_start(MqttClient *c) {
        return mqtt_client_connect(c);
}

bool mqtt_client_is_connected(MqttClient *c) {
        return c && c->connected;
}

unsigned mqtt_client_connects(MqttClient *c) {
        return c ? c->connects : 0;
}

int mqtt_client_subscribe(MqttClient *c, const char *pattern) {
        int r;

        if (!c->connected)
                return -ENOTCONN;
        r = mosquitto_subscribe(c->mosq, NULL, pattern, 1);
        mqtt_client_io_update(c);
        return mqtt_error_to_errno(r);
}

int mqtt_client_publish(MqttClient *c, const char *topic, const void *payload, size_t size, bool retain) {
        int r;

        if (!c->connected)
                return -ENOTCONN;
        if (size > INT32_MAX)
                return -EMSGSIZE;
        r = mosquitto_publish(c->mosq, NULL, topic, (int) size, payload, 1, retain);
        mqtt_client_io_update(c);
        return mqtt_error_to_errno(r);
}

static uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

int mqtt_client_shutdown(MqttClient *c, const char *topic, const char *payload, uint64_t timeout_usec) {
        uint64_t deadline = now_usec() + timeout_usec;
        int r;

        c->reconnect_timer = sd_event_source_disable_unref(c->reconnect_timer);
        if (!c->connected) {
                c->stopping = true;
                return -ENOTCONN;
        }
        c->stopping = true;
        mqtt_client_drop_io(c);

        r = mosquitto_publish(c->mosq, &c->shutdown_mid, topic, strlen(payload), payload, 1, true);
        if (r != MOSQ_ERR_SUCCESS)
                return mqtt_error_to_errno(r);
        /* The loop has ended: the library's own select() waits for the acknowledgement. */
        while (!c->shutdown_acked && now_usec() < deadline && c->connected) {
                r = mosquitto_loop(c->mosq, 100, 1);
                if (r != MOSQ_ERR_SUCCESS)
                        break;
        }
        r = mosquitto_disconnect(c->mosq);
        c->connected = false;
        if (!c->shutdown_acked)
                return -ETIMEDOUT;
        return mqtt_error_to_errno(r);
}
