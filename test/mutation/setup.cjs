// Tells the tests they run under `npm run mutate` (see beforeBlock in test/helpers/mocks.ts).
process.env.LKSTACK_MUTATION = "1";
