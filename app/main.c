/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder until app/main.c lands */
int
main(void)
{
	return 2;
}
