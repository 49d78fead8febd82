# common.sh — what the benchmark corpora share: the sentences, and how noise is added. Sourced by
# make-corpus.sh (espeak-ng) and make-holdout.sh (other voices and rooms); expects $tmp.

# Every sox run repeatable: sox dithers whenever it writes 16-bit samples it has changed
# (resampling, gain, mixing, reverb), and its dither, like its noise, is random unless seeded.
export SOX_OPTS=-R

commands=(
        "set the temperature to twenty four degrees|set_temperature 24"
        "set temperature to eighteen|set_temperature 18"
        "make it warmer|adjust_temperature 1"
        "make it cooler|adjust_temperature -1"
        "switch to cooling mode|set_mode cool"
        "heating mode|set_mode heat"
        "switch to dry mode|set_mode dry"
        "turn on the air conditioner|set_power true"
        "turn off the air conditioner|set_power false"
        "fan speed high|set_fan high"
        "set the fan to low|set_fan low"
)
offtopic=(
        "what a lovely day it is outside"
        "I was wondering about dinner tonight"
        "please call my mother on the phone"
        "the cat sat on the mat all afternoon"
        "how tall is the eiffel tower"
        "play some music in the kitchen"
        "remind me to buy milk tomorrow"
        "what time does the train leave"
        "tell me a joke about penguins"
        "open the garage door please"
)
ordinary=(
        "the weather is lovely today and I think we should go outside for a walk"
        "my brother bought a new car last week and drove it to the mountains"
        "could you pass me the salt and the pepper please"
        "the meeting has been moved to thursday afternoon at three"
        "she reads the newspaper every morning with a cup of coffee"
        "we are planning a trip to the seaside in august"
        "the children played football in the park until it got dark"
        "I need to finish this report before the end of the day"
        "the restaurant on the corner serves excellent pasta"
        "turn left at the traffic lights and then go straight on"
        "the library is closed on sundays and public holidays"
        "he forgot his umbrella and got soaked in the rain"
        "there is a concert in the town hall on saturday evening"
        "the garden needs watering because it has not rained for weeks"
        "our neighbours have a small dog that barks at the postman"
        "the price of vegetables has gone up again this month"
        "I think the film starts at half past seven"
        "the temperature outside dropped below freezing last night"
        "she turned on the television to watch the news"
        "the air in the mountains is fresh and clean"
)
nearmiss=(
        "the climate is changing faster than expected"
        "hey Clementine how are you doing today"
        "okay climate scientists met in paris"
        "hey Clyde can you help me with this"
        "the climate change conference starts on monday"
        "hey climber be careful on the rocks"
        "they say the climate here is mild in winter"
        "hey Kate I like the new haircut"
        "a stable climate matters for farming"
        "hey time to go home now"
)
# What a television or radio in the room says: the phrase's words and near-misses of it, followed
# by words of the commands ("climate change ... thirty and a half degrees"). None holds the phrase.
broadcast=(
        "climate change is the defining issue of our time"
        "climate change could make it thirty and a half degrees in the city by august"
        "okay climate scientists say the temperature will rise by two degrees"
        "hey Clyde turn the music down a little"
        "the climate summit set a target of one and a half degrees"
        "tonight on climate watch we turn the heating down and save money"
        "okay climate now the weather for tomorrow with highs of twenty four degrees"
        "hey Clive set the table for dinner please"
        "a changing climate means warmer winters and cooler summers"
        "they climbed it in a day and made it warmer by the fire"
        "the climate of fear turned off the investors"
        "hey kline make it cooler in here"
)

# noise KIND LEVEL_DB IN OUT: adds noise at LEVEL below the speech RMS (or a floor at -45 dBFS).
noise() {
        local kind=$1 snr=$2 in=$3 outf=$4 len rms gain
        len=$(soxi -D "$in")
        if [ "$kind" = floor ]; then
                sox -R -q -n -r 16000 -c 1 -b 16 "$tmp/n.wav" synth "$len" pinknoise vol 0.03
        else
                rms=$(sox "$in" -n stats 2>&1 | awk '/RMS lev dB/ {print $4}')
                sox -R -q -n -r 16000 -c 1 -b 16 "$tmp/n0.wav" synth "$len" "$kind"
                gain=$(sox "$tmp/n0.wav" -n stats 2>&1 | awk -v r="$rms" -v s="$snr" '/RMS lev dB/ {print r - s - $4}')
                sox -q "$tmp/n0.wav" "$tmp/n.wav" gain "$gain"
        fi
        sox -q -m "$in" "$tmp/n.wav" "$outf"
}

# sentences SET: the sentences of a negative set (ordinary, nearmiss, broadcast), one a line.
sentences() {
        case $1 in
        ordinary) printf '%s\n' "${ordinary[@]}" ;;
        nearmiss) printf '%s\n' "${nearmiss[@]}" ;;
        broadcast) printf '%s\n' "${broadcast[@]}" ;;
        esac
}

# join_negatives OUT: the clips listed in $tmp/list.txt, joined into one file with a noise floor.
join_negatives() {
        sox -q $(cat "$tmp/list.txt") "$tmp/joined.wav"
        noise floor 0 "$tmp/joined.wav" "$1"
}
