/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK 22.11 leaves a primary process's hugepage files (<hugedir>/<prefix>map_*) and its
 * runtime directory (/var/run/dpdk/<prefix>) behind after rte_eal_cleanup(), so that a
 * restart can reuse them. vseal removes its own at a clean exit: an operator should not
 * find gigabytes of hugepages held by a process that is gone. (--huge-unlink would avoid
 * the files but also forbid secondary processes, which dpdk-dumpcap needs.)
 */
#include <dirent.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include <rte_eal.h>

#include "vs_eal_files.h"

static void
remove_matching(const char *dir, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0 ||
				strncmp(de->d_name + plen, "map_", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

static void
remove_dir_files(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
vs_eal_files_save(struct vs_eal_files *f)
{
	const char *rt = rte_eal_get_runtime_dir();
	const char *slash = strrchr(rt, '/');

	strlcpy(f->runtime_dir, rt, sizeof(f->runtime_dir));
	strlcpy(f->prefix, slash != NULL ? slash + 1 : rt, sizeof(f->prefix));
}

void
vs_eal_files_remove(const struct vs_eal_files *f)
{
	struct mntent *m;
	FILE *mounts;

	if (f->prefix[0] == '\0')
		return;
	mounts = setmntent("/proc/mounts", "r");
	if (mounts != NULL) {
		while ((m = getmntent(mounts)) != NULL)
			if (strcmp(m->mnt_type, "hugetlbfs") == 0)
				remove_matching(m->mnt_dir, f->prefix);
		endmntent(mounts);
	}
	remove_dir_files(f->runtime_dir);
}
