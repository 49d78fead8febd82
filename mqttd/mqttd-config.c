/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>

#include "config.h"
#include "fileio.h"
#include "manager.h"

#define NODE_ID_MAX 64

/* Not the machine id itself: an id of its own, derived from it, that says nothing of it. */
#define MQTTD_APP_ID SD_ID128_MAKE(5b,0e,93,2c,71,f4,4a,0d,8e,22,c9,61,3a,d7,4f,18)

static int validate_node_id(const char *s, char **ret_problem) {
        if (!isempty(s) && !node_id_is_valid(s)) {
                *ret_problem = strdup("expected 1…64 letters, digits, '_' or '-' (empty: from the machine id)");
                return -EINVAL;
        }
        return 0;
}

static int validate_topic_prefix(const char *s, char **ret_problem) {
        if (isempty(s) || strlen(s) > 128 || strpbrk(s, "+#") || s[0] == '/' || s[strlen(s) - 1] == '/') {
                *ret_problem = strdup("expected a topic of 1…128 bytes without '+', '#' or a '/' at either end");
                return -EINVAL;
        }
        return 0;
}

static int validate_broker(const char *s, char **ret_problem) {
        MqttBroker b = {};
        int r;

        r = mqtt_broker_parse(s, &b, ret_problem);
        mqtt_broker_done(&b);
        return r;
}

static const ConfigField mqttd_config_fields[] = {
        { "broker",               CONFIG_STRING, offsetof(MqttdConfig, broker), .validate = validate_broker },
        { "node_id",              CONFIG_STRING, offsetof(MqttdConfig, node_id), .validate = validate_node_id },
        { "name",                 CONFIG_STRING, offsetof(MqttdConfig, name) },
        { "topic_prefix",         CONFIG_STRING, offsetof(MqttdConfig, topic_prefix), .validate = validate_topic_prefix },
        { "discovery_prefix",     CONFIG_STRING, offsetof(MqttdConfig, discovery_prefix), .validate = validate_topic_prefix },
        { "credentials_file",     CONFIG_STRING, offsetof(MqttdConfig, credentials_file) },
        { "ca_file",              CONFIG_STRING, offsetof(MqttdConfig, ca_file) },
        { "allow_unmute",         CONFIG_BOOL,   offsetof(MqttdConfig, allow_unmute) },
        { "keepalive_sec",        CONFIG_UINT,   offsetof(MqttdConfig, keepalive_sec), 5, 3600 },
        { "reconnect_initial_ms", CONFIG_UINT,   offsetof(MqttdConfig, reconnect_initial_ms), 100, 60000 },
        { "reconnect_max_ms",     CONFIG_UINT,   offsetof(MqttdConfig, reconnect_max_ms), 100, 3600000 },
        {}
};

int mqttd_config_init(MqttdConfig *c) {
        *c = (MqttdConfig) {
                .broker = strdup("mqtt://127.0.0.1:1883"),
                .node_id = strdup(""),
                .name = strdup("voicehvac"),
                .topic_prefix = strdup("voicehvac"),
                .discovery_prefix = strdup("homeassistant"),
                .credentials_file = strdup(""),
                .ca_file = strdup(""),
                .allow_unmute = false,
                .keepalive_sec = 60,
                .reconnect_initial_ms = 1000,
                .reconnect_max_ms = 60000,
        };
        if (!c->broker || !c->node_id || !c->name || !c->topic_prefix || !c->discovery_prefix ||
            !c->credentials_file || !c->ca_file)
                return -ENOMEM;
        return 0;
}

void mqttd_config_done(MqttdConfig *c) {
        free(c->broker);
        free(c->node_id);
        free(c->name);
        free(c->topic_prefix);
        free(c->discovery_prefix);
        free(c->credentials_file);
        free(c->ca_file);
        *c = (MqttdConfig) {};
}

int mqttd_config_load(MqttdConfig *c, const char *path, bool must_exist, char **ret_error) {
        int r;

        r = config_load_file(path, mqttd_config_fields, c, must_exist, ret_error);
        if (r < 0)
                return r;
        if (c->reconnect_max_ms < c->reconnect_initial_ms)
                return asprintf(ret_error, "%s: key 'reconnect_max_ms': %u is less than reconnect_initial_ms (%u)",
                                path, c->reconnect_max_ms, c->reconnect_initial_ms) < 0 ? -ENOMEM : -EINVAL;
        if (isempty(c->name))
                return asprintf(ret_error, "%s: key 'name': must not be empty", path) < 0 ? -ENOMEM : -EINVAL;
        return 0;
}

void mqtt_broker_done(MqttBroker *b) {
        free(b->host);
        b->host = NULL;
}

static bool host_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == '_';
}

int mqtt_broker_parse(const char *url, MqttBroker *ret, char **ret_problem) {
        const char *p, *host_end, *port = NULL;
        _cleanup_free_ char *host = NULL;
        bool tls;

        if (strncmp(url, "mqtt://", 7) == 0) {
                tls = false;
                p = url + 7;
        } else if (strncmp(url, "mqtts://", 8) == 0) {
                tls = true;
                p = url + 8;
        } else
                goto bad;

        if (p[0] == '[') {
                host_end = strchr(p, ']');
                if (!host_end || host_end == p + 1)
                        goto bad;
                for (const char *q = p + 1; q < host_end; q++)
                        if (!strchr("0123456789abcdefABCDEF:.", *q))
                                goto bad;
                host = strndup(p + 1, host_end - p - 1);
                host_end++;
        } else {
                host_end = p;
                while (host_char_ok(*host_end))
                        host_end++;
                if (host_end == p)
                        goto bad;
                host = strndup(p, host_end - p);
        }
        if (!host)
                return -ENOMEM;
        if (*host_end == ':')
                port = host_end + 1;
        else if (*host_end != '\0' && !streq(host_end, "/"))
                goto bad;

        ret->port = tls ? 8883 : 1883;
        if (port) {
                char *end;
                unsigned long n;

                if (!strchr("0123456789", port[0]))
                        goto bad;
                errno = 0;
                n = strtoul(port, &end, 10);
                if (errno != 0 || n == 0 || n > 65535 || (*end != '\0' && !streq(end, "/")))
                        goto bad;
                ret->port = (unsigned) n;
        }
        ret->tls = tls;
        free(ret->host);
        ret->host = TAKE_PTR(host);
        return 0;
bad:
        *ret_problem = strdup("expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
        return -EINVAL;
}

bool node_id_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > NODE_ID_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      s[i] == '_' || s[i] == '-'))
                        return false;
        return true;
}

int node_id_from_machine_id(char **ret) {
        sd_id128_t id;
        char buf[SD_ID128_STRING_MAX];
        int r;

        r = sd_id128_get_machine_app_specific(MQTTD_APP_ID, &id);
        if (r < 0)
                return r;
        sd_id128_to_string(id, buf);
        buf[12] = '\0';
        return asprintf(ret, "hub-%s", buf) < 0 ? -ENOMEM : 0;
}

typedef struct Credentials {
        char *username;
        char *password;
} Credentials;

static const ConfigField credentials_fields[] = {
        { "username", CONFIG_STRING, offsetof(Credentials, username) },
        { "password", CONFIG_STRING, offsetof(Credentials, password) },
        {}
};

static void credentials_wipe(Credentials *c) {
        if (c->password)
                explicit_bzero(c->password, strlen(c->password));
        free(c->password);
        free(c->username);
}

int mqtt_credentials_load(const char *path, char **ret_username, char **ret_password, char **ret_error) {
        _cleanup_(credentials_wipe) Credentials c = {};
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        struct stat st;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                return asprintf(ret_error, "credentials file %s: %s", path, strerror(-r)) < 0 ? -ENOMEM : r;
        }
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return asprintf(ret_error, "credentials file %s: not a regular file", path) < 0 ? -ENOMEM : -EINVAL;
        if (st.st_mode & (S_IRWXG | S_IRWXO))
                return asprintf(ret_error, "credentials file %s: mode %04o lets others read it; "
                                "it must be readable by its owner only (0600 or 0400)",
                                path, (unsigned) (st.st_mode & 07777)) < 0 ? -ENOMEM : -EPERM;

        r = read_full_fd(fd, 4096, &text, &size);
        if (r < 0)
                return asprintf(ret_error, "credentials file %s: %s", path,
                                r == -EFBIG ? "larger than 4 KiB" : strerror(-r)) < 0 ? -ENOMEM : r;
        r = config_load_string(path, text, size, credentials_fields, &c, ret_error);
        explicit_bzero(text, size);
        if (r < 0) {
                /* The message names /proc/self/fd/N: name the file instead, and nothing of its content. */
                free(*ret_error);
                return asprintf(ret_error, "credentials file %s: expected {\"username\": \"…\", \"password\": \"…\"}, "
                                "each once and a string", path) < 0 ? -ENOMEM : r;
        }
        if (isempty(c.username))
                return asprintf(ret_error, "credentials file %s: key 'username': must not be empty", path) < 0
                       ? -ENOMEM : -EINVAL;
        *ret_username = TAKE_PTR(c.username);
        *ret_password = TAKE_PTR(c.password) ?: strdup("");
        return *ret_password ? 0 : -ENOMEM;
}
