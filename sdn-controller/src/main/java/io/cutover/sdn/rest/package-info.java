/** The controller's REST API (Vert.x Web) under /v1. */
package io.cutover.sdn.rest;
