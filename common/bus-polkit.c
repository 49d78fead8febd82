/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "bus-polkit.h"
#include "bus-util.h"
#include "errors.h"

#define POLKIT_BUS_NAME    "org.freedesktop.PolicyKit1"
#define POLKIT_PATH        "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE   "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorization's flags: the caller said it can answer a password prompt. */
#define POLKIT_ALLOW_USER_INTERACTION 1u

typedef enum PolkitAnswer {
        POLKIT_PENDING,
        POLKIT_ALLOWED,
        POLKIT_DENIED,
        POLKIT_CHALLENGE,       /* polkit would allow after authentication the caller cannot give */
        POLKIT_ABSENT,          /* no polkitd on this bus: the group rule alone decided */
        POLKIT_FAILED,
} PolkitAnswer;

typedef struct PolkitQuery PolkitQuery;
struct PolkitQuery {
        PolkitRegistry *registry;
        PolkitQuery *prev, *next;
        sd_bus_message *request;        /* the caller's message, dispatched again on the answer */
        char *action;
        sd_bus_slot *slot;              /* the call to polkit, while it runs */
        sd_event_source *cleanup;       /* frees the query once the request was handled again */
        PolkitAnswer answer;
        sd_bus_error error;             /* POLKIT_FAILED: what polkit said */
};

/* Whether a sender is root or in the group is fixed for the life of its unique name: the bus
 * daemon records a connection's uid and groups when it connects, and never gives a unique name out
 * twice. So the last few verdicts are kept, instead of a round trip to the bus daemon on every
 * call, which blocked the loop each time (hvacd's Apply rate fell to a third with it). */
#define SENDER_VERDICTS 16

typedef struct SenderVerdict {
        char *sender;
        gid_t group;
        bool member;
} SenderVerdict;

struct PolkitRegistry {
        PolkitQuery *queries;
        SenderVerdict verdicts[SENDER_VERDICTS];
        unsigned next_verdict;
};

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        if (q->prev)
                q->prev->next = q->next;
        else if (q->registry)
                q->registry->queries = q->next;
        if (q->next)
                q->next->prev = q->prev;
        sd_bus_slot_unref(q->slot);
        sd_event_source_disable_unref(q->cleanup);
        sd_bus_message_unref(q->request);
        sd_bus_error_free(&q->error);
        free(q->action);
        free(q);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(PolkitQuery *, polkit_query_free);

int polkit_registry_new(PolkitRegistry **ret) {
        PolkitRegistry *r = calloc(1, sizeof(PolkitRegistry));

        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}

PolkitRegistry *polkit_registry_free(PolkitRegistry *registry) {
        if (!registry)
                return NULL;
        while (registry->queries)
                polkit_query_free(registry->queries);
        for (size_t i = 0; i < SENDER_VERDICTS; i++)
                free(registry->verdicts[i].sender);
        free(registry);
        return NULL;
}

static int on_cleanup(sd_event_source *s, void *userdata) {
        polkit_query_free(userdata);
        return 0;
}

static PolkitAnswer answer_from_reply(sd_bus_message *reply, sd_bus_error *ret_error) {
        const sd_bus_error *e;
        int authorized, challenge, r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                e = sd_bus_message_get_error(reply);
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        return POLKIT_ABSENT;
                (void) sd_bus_error_copy(ret_error, e);
                return POLKIT_FAILED;
        }

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                (void) sd_bus_error_setf(ret_error, VH_ERROR_FAILED, "Unreadable answer from polkit: %s",
                                         strerror(-r));
                return POLKIT_FAILED;
        }
        return authorized ? POLKIT_ALLOWED : challenge ? POLKIT_CHALLENGE : POLKIT_DENIED;
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *unused) {
        PolkitQuery *q = userdata;
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->answer = answer_from_reply(reply, &q->error);

        /* The query must live until the request has been handled a second time: an idle source
         * frees it after the bus has dispatched what it queued. */
        r = sd_event_add_defer(sd_bus_get_event(bus), &q->cleanup, on_cleanup, q);
        if (r >= 0)
                r = sd_event_source_set_priority(q->cleanup, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_bus_message_rewind(q->request, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(bus, q->request);
        if (r < 0) {
                (void) sd_bus_reply_method_errorf(q->request, VH_ERROR_FAILED,
                                                  "Failed to complete the authorization: %s", strerror(-r));
                polkit_query_free(q);
        }
        return 0;
}

static int polkit_query_start(sd_bus_message *message, const char *action, PolkitRegistry *registry) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(polkit_query_freep) PolkitQuery *q = NULL;
        sd_bus *bus = sd_bus_message_get_bus(message);
        const char *sender = sd_bus_message_get_sender(message);
        unsigned flags = 0;
        int r;

        if (!sender)
                return -EBADMSG;
        if (sd_bus_message_get_allow_interactive_authorization(message) > 0)
                flags |= POLKIT_ALLOW_USER_INTERACTION;

        r = sd_bus_message_new_method_call(bus, &call, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r < 0)
                return r;
        /* subject (sa{sv}), action_id s, details a{ss}, flags u, cancellation_id s */
        r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0,
                                  flags, "");
        if (r < 0)
                return r;

        q = calloc(1, sizeof(PolkitQuery));
        if (!q)
                return -ENOMEM;
        q->action = strdup(action);
        if (!q->action)
                return -ENOMEM;
        q->request = sd_bus_message_ref(message);
        q->answer = POLKIT_PENDING;

        r = sd_bus_call_async(bus, &q->slot, call, on_polkit_reply, q, 0);
        if (r < 0)
                return r;

        q->registry = registry;
        q->next = registry->queries;
        if (q->next)
                q->next->prev = q;
        registry->queries = TAKE_PTR(q);
        return 0;
}

static PolkitQuery *registry_find(PolkitRegistry *registry, sd_bus_message *message) {
        for (PolkitQuery *q = registry->queries; q; q = q->next)
                if (q->request == message)
                        return q;
        return NULL;
}

static int refuse(sd_bus_error *error, const char *what, const char *group_name, const char *action,
                  const char *why) {
        sd_bus_error_setf(error, VH_ERROR_NOT_AUTHORIZED,
                          "%s requires root or membership of group '%s', or polkit's authorization for %s%s.",
                          what, group_name ?: "(none)", action, why);
        return -EACCES;
}

static int sender_in_group(PolkitRegistry *registry, sd_bus_message *message, gid_t group, bool *ret) {
        const char *sender = sd_bus_message_get_sender(message);
        SenderVerdict *v;
        char *copy;
        int r;

        for (size_t i = 0; sender && i < SENDER_VERDICTS; i++)
                if (registry->verdicts[i].group == group && streq_ptr(registry->verdicts[i].sender, sender)) {
                        *ret = registry->verdicts[i].member;
                        return 0;
                }

        r = bus_message_sender_in_group(message, group, ret);
        if (r < 0 || !sender || sender[0] != ':')
                return r;

        copy = strdup(sender);
        if (!copy)
                return 0;       /* not remembered; asked again next time */
        v = &registry->verdicts[registry->next_verdict];
        registry->next_verdict = (registry->next_verdict + 1) % SENDER_VERDICTS;
        free(v->sender);
        *v = (SenderVerdict) { .sender = copy, .group = group, .member = *ret };
        return 0;
}

int bus_verify_control_async(sd_bus_message *message, gid_t group, const char *group_name, const char *action,
                             const char *what, PolkitRegistry *registry, sd_bus_error *error) {
        PolkitQuery *q;
        bool member;
        int r;

        /* The second dispatch of a message polkit has answered about. */
        q = registry_find(registry, message);
        if (q) {
                if (q->answer == POLKIT_PENDING)
                        return 0;
                if (!streq(q->action, action))
                        return vh_bus_error_set_errnof(error, -ESTALE, "The authorization asked for does not match.");
                switch (q->answer) {
                case POLKIT_ALLOWED:
                        return 1;
                case POLKIT_CHALLENGE:
                        return refuse(error, what, group_name, action, " (polkit asks for authentication: "
                                      "call with interactive authorization allowed, from a session with an agent)");
                case POLKIT_ABSENT:
                        return refuse(error, what, group_name, action, " (polkit is not running here)");
                case POLKIT_FAILED:
                        sd_bus_error_setf(error, VH_ERROR_FAILED, "Authorization failed: polkit answered %s: %s",
                                          q->error.name, q->error.message ?: "");
                        return -EIO;
                default:
                        return refuse(error, what, group_name, action, "");
                }
        }

        r = sender_in_group(registry, message, group, &member);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Cannot check the caller's credentials: %s", strerror(-r));
        if (member)
                return 1;

        r = polkit_query_start(message, action, registry);
        if (r < 0)
                return vh_bus_error_set_errnof(error, r, "Cannot ask polkit: %s", strerror(-r));
        return 0;
}
