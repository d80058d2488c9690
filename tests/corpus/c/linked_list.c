#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

struct node *push(struct node *head, int v)
{
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    return n;
}

struct node *reverse(struct node *head)
{
    struct node *prev = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

int main(void)
{
    struct node *list = NULL;
    for (int i = 0; i < 5; i++) list = push(list, i * i);
    list = reverse(list);
    for (struct node *p = list; p; p = p->next) printf("%d -> ", p->value);
    printf("NULL\n");
    while (list) { struct node *n = list->next; free(list); list = n; }
    return 0;
}
