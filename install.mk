# install.mk — `make install DESTDIR=… PREFIX=/usr`: the daemons, their units and slices, the
# bus policy and contract, the system user and the default configuration.
#
#   $(PREFIX)/libexec/voicehvac/          the daemons (started by systemd, not by hand)
#   $(PREFIX)/bin/voicehvacctl            the command-line client, once it is built
#   $(PREFIX)/lib/systemd/system/         <daemon>.service, voicehvac*.slice
#   $(PREFIX)/lib/sysusers.d/voicehvac.conf
#   $(PREFIX)/share/dbus-1/system.d/      bus policy;  …/dbus-1/interfaces/  the contract
#   $(PREFIX)/share/voicehvac/            wakeword's grammar and word lists, the slices' budget.json
#   /etc/voicehvac/*.json                 default configuration (under DESTDIR, not PREFIX)
LIBEXECDIR   ?= $(PREFIX)/libexec/voicehvac
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR   ?= /etc

INSTALL_DAEMONS  = $(filter-out %/voicehvacctl,$(BINARIES))
INSTALL_TOOLS    = $(filter %/voicehvacctl,$(BINARIES))
INSTALL_UNITS    = $(wildcard audiod/*.service hvacd/*.service wakeword/*.service watchdogd/*.service)
INSTALL_CONFIGS  = $(wildcard audiod/*.json hvacd/*.json wakeword/*.json watchdogd/*.json)
# The recogniser's data: its command grammar and word lists.
INSTALL_WAKEWORD_DATA = $(wildcard wakeword/*.gram wakeword/*.txt)

install-files: $(BINARIES)
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/voicehvac \
	        $(DESTDIR)$(PREFIX)/share/dbus-1/system.d $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces \
	        $(DESTDIR)$(PREFIX)/share/voicehvac $(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m755 $(INSTALL_DAEMONS) $(DESTDIR)$(LIBEXECDIR)/
	$(if $(INSTALL_TOOLS),install -Dm755 $(INSTALL_TOOLS) $(DESTDIR)$(PREFIX)/bin/voicehvacctl)
	for u in $(INSTALL_UNITS); do \
	        sed 's|/usr/libexec/voicehvac/|$(LIBEXECDIR)/|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	        chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -m644 cgroups/*.slice $(DESTDIR)$(UNITDIR)/
	install -m644 cgroups/voicehvac.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/voicehvac.conf
	install -m644 dbus-interfaces/*.conf $(DESTDIR)$(PREFIX)/share/dbus-1/system.d/
	install -m644 dbus-interfaces/*.xml $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces/
	install -m644 $(INSTALL_WAKEWORD_DATA) $(DESTDIR)$(PREFIX)/share/voicehvac/
	install -m644 cgroups/budget.json $(DESTDIR)$(PREFIX)/share/voicehvac/
	install -m644 $(INSTALL_CONFIGS) $(DESTDIR)$(SYSCONFDIR)/voicehvac/

.PHONY: install-files

# The installed layout, verified on the build machine (systemd-analyze, dbus-daemon).
TEST_SCRIPTS += tests/test-units.sh
