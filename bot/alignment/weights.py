"""The default tagger's tuned weights and cut-offs, calibrated together on the development sets."""

# Evidence strengths, calibrated together: a shared concept alone is enough,
# a shared theme alone is not, a segment-led objective fires on its segment.
DIRECT = 0.72
THEME = 0.45
THEME_MIN = 0.6
WORD_TITLE = 0.5
WORD_DESCRIPTION = 0.5  # a description word counts about as much as a title word: it names the work too
KEYWORD = 0.75
SEGMENT_LED = 0.7
SEGMENT_PART = 0.4
UNSEGMENTED = 0.5  # evidence kept when an objective names a segment the text does not
DESCRIPTION_WEIGHT = 0.55  # what the description adds, relative to the title
THRESHOLD = 0.4
RELATIVE = 0.7  # a second objective must score at least this share of the best
ADMIN_DAMP = 0.5  # share of every score plain internal admin ("staff mtg", "calendar") explains away

# Learned examples: how similar a past text must be to count, and how much it counts.
NN_K = 5
SCAN_MAX = 64  # examples a search reads per feature, the latest saying it: not a common word's thousands
NN_MIN_SIM = 0.25
NN_FULL_SIM = 0.75
NN_MAX = 0.9
NN_NEG_START = 0.3
CONCEPT_FEATURE = 0.3  # weight of a shared concept or segment against a shared word

WEAK = 0.5
# Literal evidence: how distinctive a word is in the workspace's own texts scales it.
IN_PHRASE = 0.5  # an objective word the knowledge read inside a phrase
DISTINCT_FLOOR = 0.1  # share of a word's weight kept when every text says it
COMMON_SHARE = 0.1  # with fewer than 1/COMMON_SHARE texts, even a word only one says is not fully distinctive
JARGON = 0.75  # an objective's own jargon ("CM2", "RevPAR") seen in a text
PAIR = 0.7  # two adjacent words of an objective, in the same order: right 9 times in 10 on the dev sets
TAUGHT = 0.6  # a word of every labelled text saying it the tagger missed an objective on
TAUGHT_PRIOR = 2.0  # pseudo-count of labelled texts saying a word that taught nothing: one text is not the last word
TAUGHT_CONCEPT = 0.6  # distinctiveness of a concept people's tags tie to an objective
MISSED_WIDTH = 0.2  # how far above its cut-off a score must be for the tag to count as not missed at all
REPEAT = 0.4  # share of a concept's evidence each further mention of it adds
MAX_WHY = 4
# Confidence: a verdict is sure when no objective's score is within this margin of its
# cut-off (tagged above it, untagged below it). Between the two, Alignbot asks. Given the
# workspace's texts, the margin is set so that about ASK_SHARE of them are unsure, the
# ones closest to flipping: narrower where many sit near a cut-off, wider (up to SURE_MAX)
# where few do.
SURE_MARGIN = 0.08
SURE_MAX = 0.15
ASK_SHARE = 0.25  # ask about at most a quarter of updates; a cut-off ranked among all of them keeps to it
ECHO_SHARE = 0.22  # the share of the week's texts too near a cut-off to teach as the tagger's own examples
ECHO_PRIOR = 4.0  # pseudo-count of sure texts at an even share: a word two texts say is not yet settled
ECHO_DAMP_MIN = 2  # sure texts saying an objective's word before they weigh it
ECHO_DAMP_FLOOR = 0.2  # share of its weight an objective's word keeps, however the sure texts tie it elsewhere
CALIBRATE_MAX = 200  # texts read again to set the margin once the echo is in
CALIBRATE_MIN = 20  # fewer texts than this say too little about where the cut-offs lie
SEVERAL_DOUBT = 0.6  # several tags are more often wrong than one: their margin counts less
# When asking, far less: on the five development companies 19 of 32 verdicts with several
# tags were wrong, against 34 of 179 with one, yet their scores looked as sure.
SEVERAL_ASK = 0.15
# An untagged text that says much is more often a missed tag than an aside: on the five
# development companies, 24 of 26 untagged updates of 16 words or more were misses, 4 of
# 43 of 12 words or fewer. Past UNPLACED_WORDS words its margin shrinks steeply.
UNPLACED_WORDS = 9
UNPLACED_POWER = 6
CANDIDATE_MIN = 0.1  # a near miss worth offering in the question
CANDIDATES = 3
CODE_SHARE = 0.5  # a chained code ("MSP-MKE") is usually a place every update names: says where, not what
# Team goals, tuned on the five development companies together: a goal the text matches adds
# little beyond what its title already teaches as an example; a team's goals mostly say which
# objectives its work is for, so an objective none of them serves counts a little less.
GOAL = 0.05  # what a goal of the text's team counts, at full match, for each objective it serves
GOAL_MIN = 0.3  # a goal scoring less than this (read as an objective) says nothing
GOAL_DAMP = 0.1  # share of an objective's score lost when no goal of the text's team serves it
GOAL_SUGGEST_MIN = 0.1  # a goal title's nearest objective is suggested (unsure) from this score up
ECHO = 0.5  # what a sure text of the workspace counts as an example, against a person's tag
