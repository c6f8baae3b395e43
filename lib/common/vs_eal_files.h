/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VS_EAL_FILES_H
#define VS_EAL_FILES_H

#include <limits.h>

/** What EAL left on disk for this process: read after rte_eal_init(). */
struct vs_eal_files {
	char prefix[NAME_MAX];
	char runtime_dir[PATH_MAX];
};

/** Remember this process's file prefix and runtime directory. */
void vs_eal_files_save(struct vs_eal_files *f);

/** After rte_eal_cleanup(): remove our hugepage files and runtime directory. */
void vs_eal_files_remove(const struct vs_eal_files *f);

#endif /* VS_EAL_FILES_H */
