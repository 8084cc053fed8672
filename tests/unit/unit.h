/* Shared scaffolding for the Check unit suites: each file defines make_suite() and
 * gets a main() that runs it and exits with the failure count. */
#ifndef HC_UNIT_H
#define HC_UNIT_H

#include <check.h>
#include <stdlib.h>

Suite *make_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(make_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
