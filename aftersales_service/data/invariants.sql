-- The money invariants of the addon, checked by scripts/check-invariants.sh on a database (after
-- the test suite, the load test and the upgrade check) and by tests/test_invariants.py. Each
-- block, headed "-- invariant: name", selects the rows that break it: none is expected.
-- (Not a data file of the module: the manifest does not load it.)

-- invariant: refunded_beyond_approved_and_received
-- R-6: a return line is credited (posted credit notes) for no more than was approved and, for
-- stored goods, received
SELECT rl.id, rl.qty_approved, rl.qty_received, refunded.qty
  FROM aftersales_return_line rl
  JOIN product_product pp ON pp.id = rl.product_id
  JOIN product_template pt ON pt.id = pp.product_tmpl_id
  JOIN (SELECT aml.aftersales_return_line_id AS line_id, SUM(aml.quantity) AS qty
          FROM account_move_line aml
          JOIN account_move am ON am.id = aml.move_id
         WHERE am.state = 'posted' AND am.move_type = 'out_refund'
           AND aml.aftersales_return_line_id IS NOT NULL
         GROUP BY 1) refunded ON refunded.line_id = rl.id
 WHERE refunded.qty > CASE WHEN pt.is_storable
                           THEN LEAST(rl.qty_approved, COALESCE(rl.qty_received, 0))
                           ELSE rl.qty_approved END + 0.00001;

-- invariant: compensation_not_as_approved_and_accepted
-- R-5: a posted compensation is the amount the manager approved and the customer accepted
SELECT id, amount_total_signed, aftersales_approved_amount, aftersales_accepted_amount
  FROM account_move
 WHERE aftersales_compensation AND state = 'posted'
   AND (aftersales_acceptance IS DISTINCT FROM 'accepted'
        OR ABS(ABS(amount_total_signed) - COALESCE(aftersales_approved_amount, 0)) > 0.005
        OR ABS(ABS(amount_total_signed) - COALESCE(aftersales_accepted_amount, 0)) > 0.005);

-- invariant: compensation_to_another_customer
-- R-5, R-8: a compensation credits the customer of the invoice it compensates
SELECT m.id, m.partner_id, inv.partner_id
  FROM account_move m
  JOIN account_move inv ON inv.id = m.reversed_entry_id
  JOIN res_partner p ON p.id = m.partner_id
  JOIN res_partner ip ON ip.id = inv.partner_id
 WHERE m.aftersales_compensation AND m.state = 'posted'
   AND COALESCE(p.commercial_partner_id, p.id) <> COALESCE(ip.commercial_partner_id, ip.id);

-- invariant: posted_other_than_approved
-- R-4: an after-sales document posted with an approved figure (a return's credit note, an
-- exchange settlement, a case's invoice, an approved refund) is posted for that figure
SELECT id, amount_total_signed, aftersales_approved_amount
  FROM account_move
 WHERE state = 'posted' AND COALESCE(aftersales_approved_amount, 0) <> 0
   AND move_type IN ('out_invoice', 'out_refund')
   AND ABS(ABS(amount_total_signed) - aftersales_approved_amount) > 0.005;

-- invariant: unpaid_case_invoiced
-- C-5, W-4: a free, contract or internal case is not invoiced, but for the upgrades the
-- customer chose
SELECT c.id, c.service_type, m.id
  FROM aftersales_case c
  JOIN account_move m ON m.aftersales_case_id = c.id
 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
   AND c.service_type <> 'paid'
   AND NOT EXISTS (SELECT 1 FROM aftersales_case_part cp WHERE cp.case_id = c.id AND cp.is_upgrade)
   AND NOT EXISTS (SELECT 1 FROM aftersales_field_visit_part vp
                     JOIN aftersales_field_visit v ON v.id = vp.visit_id
                    WHERE v.case_id = c.id AND vp.is_upgrade);

-- invariant: active_warranty_past_its_end
-- W-2: a warranty past its last day is expired by the daily cron (a day of grace for the
-- companies' time zones and the cron's hour)
SELECT id, end_date FROM aftersales_warranty
 WHERE state = 'active' AND end_date < CURRENT_DATE - 1;

-- invariant: case_invoiced_twice
-- C-5: a case has one invoice (not cancelled)
SELECT aftersales_case_id, COUNT(*)
  FROM account_move
 WHERE aftersales_case_id IS NOT NULL AND move_type = 'out_invoice' AND state <> 'cancel'
 GROUP BY 1 HAVING COUNT(*) > 1;

-- invariant: repair_made_twice
-- R-2: a unit of a return line is repaired by one repair order
SELECT aftersales_return_line_id, lot_id, COUNT(*)
  FROM repair_order
 WHERE aftersales_return_line_id IS NOT NULL AND state <> 'cancel'
 GROUP BY 1, 2 HAVING COUNT(*) > 1;

-- invariant: vendor_credit_counted_twice
-- P-4: a vendor credit note reduces one complaint's loss
SELECT move_id, COUNT(*) FROM aftersales_complaint_vendor_refund_rel GROUP BY 1 HAVING COUNT(*) > 1;
