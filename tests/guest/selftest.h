/* selftest.h - the self-test groups (selftest.c, st_*.c). */
#ifndef MKB_SELFTEST_H
#define MKB_SELFTEST_H
#include <stdint.h>
extern volatile uint64_t secret_word;
void report(const char *name, int ok, const char *detail);
int run_child(const char *role, int *pid_out);
void test_processes(void);
void test_preemption(void);
void test_isolation(void);
void test_bad_pointers(void);
void test_channels(void);
void test_services(void);    /* st_svc.c */
int role_svc(const char *role, const char *arg);
void test_attacks(void);      /* st_attack.c */
int role_attack(const char *role, const char *arg);
int echo_rounds(int rounds);
void test_quotas(void);       /* st_quota.c */
int role_quota(const char *role, const char *arg);
void test_mode(void);         /* st_mono.c or st_micro.c */
int role_mode(const char *role, const char *arg);
int role_echo(const char *arg);
void test_smp(void);          /* st_smp.c */
int role_smp(const char *role, const char *arg);
void test_ipc_strategy(void); /* micro: st_ipc_<strategy>.c */
int role_ipc(const char *role, const char *arg);
#endif
