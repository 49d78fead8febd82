/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The decoder needs pronunciations only for the words of the wake phrase and of the command
 * grammar. Loading all of cmudict costs ~70 ms and ~20 MB more, so the needed entries (with their
 * variants, "word(2)") are copied into a memfd the decoder reads as its dictionary; the filler
 * words of the command search and the words of the phrase are copied once more under their
 * FILLER_PREFIX name. */

/* Returns the memfd in *ret_fd; on error *ret_error names the file or the word without a
 * pronunciation. */
int dictionary_extract(const char *dictionary, const char *keyphrase, const char *grammar,
                       char *const *fillers, int *ret_fd, char **ret_error);

/* The words of a JSGF file: everything outside comments, <rule names>, {tags} and /weights/,
 * without the header and keywords. Returns a NULL-terminated malloc'd array of malloc'd strings. */
int jsgf_words(const char *text, char ***ret);
