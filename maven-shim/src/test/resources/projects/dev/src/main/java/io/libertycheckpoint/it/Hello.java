package io.libertycheckpoint.it;

/** Something for dev mode to compile. */
public class Hello {}
