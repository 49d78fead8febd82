# install.mk — `make install DESTDIR=… PREFIX=/usr`: the daemons, their units and slices, the
# bus policy and contract, the system user and the default configuration.
#
#   $(PREFIX)/libexec/voicehvac/          the daemons (started by systemd, not by hand)
#   $(PREFIX)/bin/voicehvacctl            the command-line client, once it is built
#   $(PREFIX)/lib/systemd/system/         voicehvac-<daemon>.service, voicehvac*.slice
#   $(PREFIX)/lib/systemd/system-generators/voicehvac-network-generator (hvacd's and mqttd's network drop-ins)
#   $(PREFIX)/lib/sysusers.d/voicehvac.conf
#   $(PREFIX)/share/dbus-1/system.d/      bus policy;  …/dbus-1/interfaces/  the contract
#   $(PREFIX)/share/polkit-1/actions/     org.voicehvac.policy (what polkit may grant)
#   $(PREFIX)/share/polkit-1/rules.d/     voicehvac.rules (watchdogd may restart the other units)
#   $(PREFIX)/share/voicehvac/            wakeword's grammar and word lists, the slices' budget.json
#   /etc/voicehvac/*.json                 default configuration (under DESTDIR, not PREFIX); an
#                                         existing file is kept, the defaults go to *.json.new
LIBEXECDIR   ?= $(PREFIX)/libexec/voicehvac
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR   ?= /etc

INSTALL_DAEMONS  = $(filter-out %/voicehvacctl,$(BINARIES))
INSTALL_TOOLS    = $(filter %/voicehvacctl,$(BINARIES))
INSTALL_UNITS    = $(wildcard audiod/*.service hvacd/*.service wakeword/*.service mqttd/*.service watchdogd/*.service)
INSTALL_CONFIGS  = $(wildcard audiod/*.json hvacd/*.json wakeword/*.json mqttd/*.json watchdogd/*.json)
# The recogniser's data: its command grammar and word lists.
INSTALL_WAKEWORD_DATA = $(wildcard wakeword/*.gram wakeword/*.txt)

install-files: $(BINARIES)
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/voicehvac \
	        $(DESTDIR)$(PREFIX)/share/dbus-1/system.d $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces \
	        $(DESTDIR)$(PREFIX)/share/voicehvac $(DESTDIR)$(PREFIX)/lib/sysusers.d \
	        $(DESTDIR)$(PREFIX)/share/polkit-1/actions $(DESTDIR)$(PREFIX)/share/polkit-1/rules.d
	install -m755 $(INSTALL_DAEMONS) $(DESTDIR)$(LIBEXECDIR)/
	$(if $(INSTALL_TOOLS),install -Dm755 $(INSTALL_TOOLS) $(DESTDIR)$(PREFIX)/bin/voicehvacctl)
	for u in $(INSTALL_UNITS); do \
	        sed 's|/usr/libexec/voicehvac/|$(LIBEXECDIR)/|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	        chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -m644 cgroups/*.slice $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system-generators
	sed -e 's|:-/usr/libexec/voicehvac}|:-$(LIBEXECDIR)}|' -e 's|:-/etc/voicehvac}|:-$(SYSCONFDIR)/voicehvac}|' \
	        common/voicehvac-network-generator >$(DESTDIR)$(PREFIX)/lib/systemd/system-generators/voicehvac-network-generator
	chmod 755 $(DESTDIR)$(PREFIX)/lib/systemd/system-generators/voicehvac-network-generator
	install -m644 cgroups/voicehvac.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/voicehvac.conf
	install -m644 dbus-interfaces/*.conf $(DESTDIR)$(PREFIX)/share/dbus-1/system.d/
	install -m644 dbus-interfaces/*.xml $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces/
	install -m644 dbus-interfaces/org.voicehvac.policy $(DESTDIR)$(PREFIX)/share/polkit-1/actions/
	install -m644 dbus-interfaces/voicehvac.rules $(DESTDIR)$(PREFIX)/share/polkit-1/rules.d/
	install -m644 $(INSTALL_WAKEWORD_DATA) $(DESTDIR)$(PREFIX)/share/voicehvac/
	install -m644 cgroups/budget.json $(DESTDIR)$(PREFIX)/share/voicehvac/
	@# A configuration file that is already there was edited by someone: it is kept, and the
	@# new defaults go beside it as <name>.json.new. Paths name this PREFIX's files.
	for c in $(INSTALL_CONFIGS); do \
	        dest=$(DESTDIR)$(SYSCONFDIR)/voicehvac/$${c##*/}; \
	        [ -e "$$dest" ] && dest="$$dest.new" && echo "install: keeping $${dest%.new}, defaults in $$dest"; \
	        sed -e 's|/usr/libexec/voicehvac/|$(LIBEXECDIR)/|g' -e 's|/usr/share/voicehvac/|$(PREFIX)/share/voicehvac/|g' \
	                $$c >"$$dest" && chmod 644 "$$dest" || exit 1; \
	done

.PHONY: install-files

# The installed layout, verified on the build machine (systemd-analyze, dbus-daemon).
TEST_SCRIPTS += tests/test-units.sh

# What `make install` installs, built alone (the Debian packaging builds just this).
binaries: $(BINARIES)

# ---- Debian packages: `make deb`, `make deb ARCH=arm64` (a cross build) ------------------------
# dpkg-buildpackage -b runs debian/rules in a copy of the tree, $(BUILD)/deb/voicehvac/, so the
# packages (voicehvac_VERSION_ARCH.deb, its -dbgsym, .buildinfo, .changes) land in $(BUILD)/deb/
# and the tree is left as it was; lintian then checks them. The copy is built by a make of its
# own: nothing of this make's command line (BUILD, ARCH, SANITIZE) reaches it.
DEB_DIR = $(BUILD)/deb
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
ifeq ($(origin ARCH),command line)
DEB_ARCH = $(ARCH)
# The package's build runs no tests (debian/rules), a cross build even less.
DEB_CROSS_ARGS = -a$(ARCH) -Pcross,nocheck
DEB_CROSS_ENV = DEB_BUILD_OPTIONS="nocheck $(DEB_BUILD_OPTIONS)"
else
DEB_ARCH = $(shell dpkg --print-architecture)
endif
deb:
	rm -rf $(DEB_DIR)/voicehvac && mkdir -p $(DEB_DIR)/voicehvac
	tar -cf - --exclude-vcs --exclude='./build*' --exclude=./.check-results --exclude='./$(BUILD)' . | \
	        tar -xf - -C $(DEB_DIR)/voicehvac
	cd $(DEB_DIR)/voicehvac && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(DEB_CROSS_ENV) \
	        dpkg-buildpackage -us -uc -b -Jauto $(DEB_CROSS_ARGS)
	lintian --fail-on error $(DEB_DIR)/voicehvac_$(DEB_VERSION)_$(DEB_ARCH).changes

.PHONY: binaries deb
