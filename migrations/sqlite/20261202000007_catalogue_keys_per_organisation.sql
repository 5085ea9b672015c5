-- Record keys are per organisation (idp/src/catalogue/store.rs, namespaced): each stored key
-- becomes the reporting organisation's id, U+001E, then the key. Records of no organisation
-- keep the bare key.
UPDATE cat_enterprise SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_service_org SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_carrier SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_carrier_partner SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_carrier_service SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_crowdfunding_project SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_crowdfunding_reward SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_crowdfunding_order SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_service_product SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_service_order SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_demand SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_bridge_loan SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_risk_compensation SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_leasing_application SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_leasing_device SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_fund_membership SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_fund_application SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_fund_repayment SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
UPDATE cat_carrier_resource SET record_key = organisation_id || char(30) || record_key WHERE organisation_id IS NOT NULL;
