/** Shapes of cursor key values: a cursor is decoded from the client, so each value is checked before it reaches SQL. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** timestamptz as Postgres prints it (ISO DateStyle), or -infinity. */
export const TIMESTAMPTZ =
  /^(-infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2})$/;
