import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

/** Run with `pulumi preview --policy-pack policy` (the CI preview workflow does). */
new PolicyPack("lkstack", { policies: POLICIES });
