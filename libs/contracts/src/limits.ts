/**
 * The largest Postgres `integer`. Versions and ids that consumers store in integer columns are
 * bounded by it in the contracts, so that an event with a larger one is dead-lettered as invalid
 * at once instead of failing in the database on every redelivery.
 */
export const INT32_MAX = 2_147_483_647;
