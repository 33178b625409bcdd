// Test double: nanoCLR packing macros; nothing the stubs use.
#pragma once
