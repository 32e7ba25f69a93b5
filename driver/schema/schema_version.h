/* Version of the event schema in driver/schema (the reference schema this one tracks). */
#ifndef SCAP_SCHEMA_VERSION_H
#define SCAP_SCHEMA_VERSION_H

#define SCAP_SCHEMA_VERSION_MAJOR 4
#define SCAP_SCHEMA_VERSION_MINOR 5
#define SCAP_SCHEMA_VERSION_PATCH 1
#define SCAP_SCHEMA_VERSION_STRING "4.5.1"

#endif
