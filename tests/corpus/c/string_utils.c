#include <stdio.h>
#include <string.h>
#include <ctype.h>

void reverse(char *s)
{
    for (size_t i = 0, j = strlen(s); i + 1 < j; i++, j--) {
        char t = s[i]; s[i] = s[j - 1]; s[j - 1] = t;
    }
}

int is_palindrome(const char *s)
{
    size_t i = 0, j = strlen(s);
    while (i < j) {
        if (!isalpha((unsigned char)s[i])) { i++; continue; }
        if (!isalpha((unsigned char)s[j - 1])) { j--; continue; }
        if (tolower((unsigned char)s[i]) != tolower((unsigned char)s[j - 1])) return 0;
        i++, j--;
    }
    return 1;
}

int main(void)
{
    char word[] = "notebook";
    reverse(word);
    printf("%s\n", word);
    printf("%d %d\n", is_palindrome("A man, a plan, a canal: Panama"), is_palindrome("cell"));
    return 0;
}
