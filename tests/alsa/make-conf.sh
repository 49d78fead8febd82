#!/bin/sh
# make-conf.sh PLUGIN_DIR FILE SWITCHPATH [EXTRA_PCM_LINE...]
#
# Prints an alsa-lib configuration that defines the vhtest plugins (built into
# PLUGIN_DIR, i.e. $(ALSA_TEST_PLUGIN_DIR) = $(BUILD)/tests/alsa), pcm.vhtest capturing
# FILE, ctl.vhtest with the "Capture Switch" kept in SWITCHPATH, and makes both the
# default PCM and the default control. Each EXTRA_PCM_LINE is one more key of pcm.vhtest,
# e.g. 'eof "loop"', 'xrun_after_ms 300', 'rate 8000'; an 'unplug "PATH"' line is given
# to ctl.vhtest as well, since pulling the card takes its mixer with it.
#
# Use it as
#   tests/alsa/make-conf.sh build/tests/alsa speech.wav "$dir/switch" >"$dir/asound.conf"
#   ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$dir/asound.conf arecord -D vhtest ...
#
# What was checked about ALSA_CONFIG_PATH (alsa-lib 1.2.8):
#  - It replaces the default list (alsa.conf) entirely; it does not add to it.
#  - alsa.conf must come FIRST. Files load in order and a later plain definition merges
#    over an earlier one, so with this file first alsa.conf's own pcm.default/ctl.default
#    win over our "!default" and "arecord" (no -D) fails with "cannot find card '0'".
#  - Even so, alsa.conf's @hooks (/etc/alsa/conf.d — including the PulseAudio hook that
#    takes "default" while a pulse server runs —, /etc/asound.conf, ~/.asoundrc,
#    $XDG_CONFIG_HOME/alsa/asoundrc) are loaded AFTER every file in the list, so the
#    host can still take pcm/ctl "default" from us. Tests open "vhtest" by name; point
#    HOME/XDG_CONFIG_HOME at an empty directory if a test must rely on "default".
#  - This file alone also works for pcm.vhtest/ctl.vhtest, and then no host hook runs
#    at all, but the stock definitions (plug:, hw:, null, …) are gone.
#  - The list is split at ':' AND at spaces, so neither path may contain either.
#  - alsa-lib rereads the files only when their mtime (whole seconds) changes; write
#    the file once before the first snd_*_open() of the process.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 PLUGIN_DIR FILE SWITCHPATH [EXTRA_PCM_LINE...]" >&2
	exit 2
fi

template="$(dirname "$0")/asound-test.conf.in"
PLUGIN_DIR=$1 FILE=$2 SWITCH=$3
shift 3

for v in "$PLUGIN_DIR" "$FILE" "$SWITCH"; do
	case $v in
	*\"*|*\\*) echo "$0: '$v': quotes and backslashes cannot go into an alsa-lib string" >&2; exit 2 ;;
	esac
done
case $PLUGIN_DIR in /*) ;; *) PLUGIN_DIR="$(cd "$PLUGIN_DIR" && pwd)" ;; esac

EXTRA_PCM=''
EXTRA_CTL=''
nl='
'
for line in "$@"; do
	EXTRA_PCM="$EXTRA_PCM	$line$nl"
	case $line in
	unplug[[:space:]]*) EXTRA_CTL="$EXTRA_CTL	$line$nl" ;;
	esac
done

# awk reads the values from the environment, which (unlike -v) keeps them verbatim, and
# splices them in with index/substr, since gsub() would give "&" a meaning.
export PLUGIN_DIR FILE SWITCH EXTRA_PCM EXTRA_CTL
awk '
	function subst(s, token, value,    i) {
		while ((i = index(s, token)) > 0)
			s = substr(s, 1, i - 1) value substr(s, i + length(token))
		return s
	}
	/^@EXTRA_PCM@$/ { printf "%s", ENVIRON["EXTRA_PCM"]; next }
	/^@EXTRA_CTL@$/ { printf "%s", ENVIRON["EXTRA_CTL"]; next }
	{
		s = subst($0, "@PLUGIN_DIR@", ENVIRON["PLUGIN_DIR"])
		s = subst(s, "@FILE@", ENVIRON["FILE"])
		print subst(s, "@SWITCH@", ENVIRON["SWITCH"])
	}
' "$template"
