// Errors the publisher names in its logs.
package main

import "errors"

var errRoomLost = errors.New("disconnected from the room")
