package moongate_test

import (
	"fmt"

	moongate "github.com/moongate/moongate/sdk/go"
)

// Args from a query such as "b=2&flag&b=3&a=x%20y" keep their order,
// repeats and value-less keys; Encode gives a query string back.
func ExampleArgs() {
	args := moongate.Args{
		{Key: "b", Value: "2", HasValue: true},
		{Key: "flag"},
		{Key: "b", Value: "3", HasValue: true},
		{Key: "a", Value: "x y", HasValue: true},
	}
	first, _ := args.Get("b")
	fmt.Println(first, args.Values("b"))
	_, flag := args.Get("flag")
	fmt.Println(flag)
	fmt.Println(args.Encode())
	// Output:
	// 2 [2 3]
	// true
	// b=2&flag&b=3&a=x%20y
}
