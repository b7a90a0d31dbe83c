package location_test

import (
	"fmt"

	"github.com/moongate/moongate/gateway/location"
)

func ExampleRouter_Match() {
	r, err := location.New([]string{
		"= /",                  // 0
		"/",                    // 1
		"/documents/",          // 2
		"^~ /images/",          // 3
		`~* \.(gif|jpg|jpeg)$`, // 4
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, raw := range []string{"/", "/index.html", "/documents/document.html", "/images/1.gif", "/documents/1.JPG"} {
		uri, err := location.NormalizeURI([]byte(raw))
		if err != nil {
			fmt.Println(raw, "-> 400:", err)
			continue
		}
		route, ok := r.Match(uri)
		fmt.Println(raw, "-> route", route, ok)
	}
	// Output:
	// / -> route 0 true
	// /index.html -> route 1 true
	// /documents/document.html -> route 2 true
	// /images/1.gif -> route 3 true
	// /documents/1.JPG -> route 4 true
}

func ExampleNormalizeURI() {
	for _, raw := range []string{"/a//b/./c/../d%20e/", "/%2e%2e/etc/passwd", "/bad%zz"} {
		uri, err := location.NormalizeURI([]byte(raw))
		fmt.Printf("%q %v\n", uri, err)
	}
	// Output:
	// "/a/b/d e/" <nil>
	// "" ".." climbs above the root
	// "" malformed percent escape "%zz" at offset 4
}

func ExampleParse() {
	for _, s := range []string{"= /exact", "^~ /static/", `~* \.png$`, "/api/", "~ ("} {
		loc, err := location.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q %q\n", loc.Modifier, loc.Pattern)
	}
	// Output:
	// "=" "/exact"
	// "^~" "/static/"
	// "~*" "\\.png$"
	// "" "/api/"
	// invalid regex "(": missing closing )
}

func ExampleRouter_Prefix() {
	r, err := location.New([]string{"/api/", `~ \.php$`})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q %q\n", r.Prefix(0), r.Prefix(1))
	// Output: "/api/" ""
}
