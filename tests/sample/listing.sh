# A test script (run by SH_LOG_COMPILER): the word list, then leaky's output, which
# leaks unless built with -DFIXED.
./wordlist && ./leaky
