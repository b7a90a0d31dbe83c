// Package abi is the contract between moongate's host and its guests,
// whatever their language: the request phases, the table saying in which
// phases each API may be called, and (with the Wasm binding) the function
// signatures and error codes of the Wasm host module.
//
// The phase-permission table lives here, once, so that the Lua binding and
// the Wasm binding refuse a call in a wrong phase with the same error.
//
// abi imports nothing from moongate; the host and the guest SDKs import it.
package abi
