# Turns a text file into a C source defining `const char SYMBOL[]` with its
# contents, so the default scenario ships inside the binary byte for byte.
file(READ ${IN} content HEX)
string(LENGTH "${content}" hexlen)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\n#include <stddef.h>\nconst char ${SYMBOL}[] = {${bytes} 0x00};\nconst size_t ${SYMBOL}_len = sizeof ${SYMBOL} - 1;\n")
